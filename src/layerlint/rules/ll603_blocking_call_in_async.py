"""## What it does
Reports a call to a blocking API inside an `async def` of a router, service or repository
module: `time.sleep`, `requests.*`, the synchronous `httpx` client and functions, `open`,
`input`, `subprocess.run`/`call`/`check_call`/`check_output`, `os.system`,
`urllib.request.urlopen`, `socket.create_connection`... Names are resolved through imports
(`from time import sleep as pause` is found; `asyncio.sleep` and `httpx.AsyncClient` are not
reported), and so are the requests of a synchronous client made elsewhere (`http = httpx.Client()`
at module level, `self._client = requests.Session()` in `__init__`, a parameter annotated so).
Functions passed to `asyncio.to_thread` or `run_in_threadpool` are not calls.

## Why is this bad?
An `async def` runs on the event loop. A blocking call stops every other request served by
the process until it returns: one slow HTTP call or `time.sleep(1)` stalls the whole API.

## Example
```python
async def refresh_rates(self) -> RatesResponse:
    response = requests.get(RATES_URL, timeout=5)
    return RatesResponse.model_validate(response.json())
```

## Use instead
```python
async def refresh_rates(self) -> RatesResponse:
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(RATES_URL)
    return RatesResponse.model_validate(response.json())
```
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import TypeRef, binds_locally
from layerlint.project.project import Project
from layerlint.project.reading.expr import Attribute, Call, Name, calls_in
from layerlint.project.reading.facts import FunctionFact, ModuleFacts
from layerlint.rules.base import Finding, Scope, rule

BLOCKING = {
    "time.sleep": "`await asyncio.sleep(...)`",
    "builtins.open": "`aiofiles.open` or `await asyncio.to_thread(...)`",
    "builtins.input": "`await asyncio.to_thread(input, ...)`",
    "subprocess.run": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.call": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.check_call": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.check_output": "`await asyncio.create_subprocess_exec(...)`",
    "subprocess.getoutput": "`await asyncio.create_subprocess_shell(...)`",
    "os.system": "`await asyncio.create_subprocess_shell(...)`",
    "os.popen": "`await asyncio.create_subprocess_shell(...)`",
    "urllib.request.urlopen": "`httpx.AsyncClient`",
    "socket.create_connection": "`await asyncio.open_connection(...)`",
    "httpx.Client": "`httpx.AsyncClient`",
}
_HTTP_FUNCTIONS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"})
_HTTP_MODULES = {"requests": "`httpx.AsyncClient`", "httpx": "`httpx.AsyncClient`"}
ASYNC_ROLES = ("router", "service", "repository")


def blocking_api(dotted_name: str) -> str | None:
    """What to use instead, when `dotted_name` is a blocking API."""
    if dotted_name in BLOCKING:
        return BLOCKING[dotted_name]
    module, _, name = dotted_name.rpartition(".")
    if module in _HTTP_MODULES and (name in _HTTP_FUNCTIONS or (module == "requests" and name == "Session")):
        return _HTTP_MODULES[module]
    if module.startswith("requests.") and name in _HTTP_FUNCTIONS:
        return _HTTP_MODULES["requests"]
    return None


SYNC_CLIENTS = frozenset({"requests.Session", "requests.sessions.Session", "httpx.Client", "httpx._client.Client"})


def _sync_client_call(project: Project, facts: ModuleFacts, function: FunctionFact, call: Call) -> str | None:
    """`client.get(...)` on a synchronous HTTP client made elsewhere (a module-level object, an
    attribute set in `__init__`, a parameter); a local one is reported where it is constructed."""
    func = call.func
    if not isinstance(func, Attribute) or func.attr not in _HTTP_FUNCTIONS:
        return None
    receiver = func.value
    if isinstance(receiver, Name) and binds_locally(function, receiver.id):
        return None
    cls = TypeRef(Symbol("class", facts.module, function.class_name)) if function.class_name else None
    found = project.types.expression(facts.module, function, receiver, cls, call.span.line)
    if found is None or found.symbol.dotted not in SYNC_CLIENTS:
        return None
    return f"{found.symbol.dotted}.{func.attr}"


@rule("LL603", "blocking-call-in-async", "An async function calls a blocking API", __doc__, tags=("async",),
      scope=Scope.MODULE, analyses=("roles", "types"))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked(*ASYNC_ROLES):
        for function in facts.functions:
            if not function.is_async:
                continue
            for event in function.events:
                for call in calls_in(event.value):
                    symbol = project.index.resolve_expr(facts.module, call.func)
                    name = symbol.dotted if symbol.kind == "external" else None
                    instead = blocking_api(name) if name else None
                    if instead is None:
                        name = _sync_client_call(project, facts, function, call)
                        instead = "`httpx.AsyncClient`" if name else None
                    if instead is not None:
                        yield Finding(facts, call.span, f"`{name}` blocks the event loop inside "
                                                      f"`async def {function.name}`; use {instead}")
