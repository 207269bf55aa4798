"""## What it does
Reports a database call awaited (or, in synchronous code, called) inside a `for`/`while` loop or
a comprehension: one query per item (N+1). The finding is at the awaited call and names the loop's line. Four kinds of awaits
count:
- a repository or service method: the receiver's type resolves to a repository or service class
  (through `self._repository`, a local built from a constructor, a parameter annotation, a
  module-level instance...). A service method the project defines is followed through its body,
  and what that calls, three functions deep: one that cannot reach the database is not reported
  (`await stripe_service.account_exists(account_id)`, whose body calls only Stripe's API). A body
  can reach it when it makes a session call (any method), a repository call, a call into a
  database library (SQLAlchemy, asyncpg, Tortoise ORM, ...), a call handed a session, or a call
  of a project function whose body can; also an awaited call whose target cannot be followed (a
  callback, an object of unknown type) or a call of `execute`/`fetch`... on one. An object a
  generator context manager hands out has the type it yields (`async with self._client() as
  client`, `_client` an `@asynccontextmanager` annotated `-> AsyncIterator[httpx.AsyncClient]`);
  any other `with` target's type is unknown. A method the
  project does not define (a library base's), a protocol's or an abstract method (`...`) are
  reported as before;
- a session call that runs a query or loads the object: `execute`, `exec`, `scalars`, `scalar`,
  `get`, `get_one`, `stream`, `refresh` and `delete` on a session (a parameter annotated or named
  as one, `self.session`, `async with async_session() as session`);
- a method of the same class that makes one of these calls itself (`[await self._load(row) for
  row in rows]`, followed three functions deep), also through an async function of the project
  such a method hands the session to (`await get_setting(key, session=session)`); the message
  names the query it makes (a project function called in the loop itself with the session is
  not followed: it may take a batch, or run another statement for each item). Not when
  its queries are only a fallback for an optional parameter the call passes (`grants if grants
  is not None else await self._grants(row.id)`, `if grants is None: grants = await ...`, `grants
  or await ...`, with `[await self._to_model(row, grants=by_row[row.id]) for row in rows]`): the
  loop hands each item what was fetched once, the usual fix of this N+1;
- a relationship loaded through SQLAlchemy's `AsyncAttrs` (`await order.awaitable_attrs.lines`):
  one lazy load per item; eager-load it with the items (`selectinload`).
Other awaits are not reported. An `async for` over a result stream is not N+1 by itself;
awaiting a query inside its body is.

Synchronous code (a `def` on a synchronous `Session`) makes the same N+1 without awaiting, and
it is reported under this rule: a session call of the list above called per item
(`self.session.get(Order, order_id)`, `db.query(Order).filter(...).first()`, `db.refresh(obj)`),
or a method of the same class that makes one (`[self.create(x) for x in data]`, followed into
the base class's method an override extends with `super().create(data)`). The catalogue words
LL602 for awaited calls because its examples are async; the defect it names is one round trip
per item, which a synchronous session has just the same, and one rule code keeps one switch for
N+1 (`ignore = ["LL602"]` silences both). A synchronous repository or service method called per
item is not reported: unlike an awaited one it need not touch the database (`repo.add(obj)`).

Loops whose iterations are not items are not reported:
- over a literal (`for period in ("day", "week", "month")`), a constant holding constants
  (`for table in SCOPE_TABLES`, at module level or assigned a non-empty literal in the
  function, also through a local alias or `A if c else B`; a constant list of records is data), a fixed `range(3)`, or batches
  (`range(0, len(ids), 500)`, `itertools.batched(ids, 500)`);
- paging: a `while` loop that tests what a call returned, directly or through locals
  (`result = await session.execute(page)`, `rows = result.scalars().all()`, `if not rows:
  break`; `if not await repo.slug_taken(slug): return slug`, probing for a free value); its
  iterations are pages, so a write per page is batching. A loop over the rows of a
  page inside it is a loop over items again. In synchronous code the tested value must come
  from a query (`rows = db.query(Item).limit(100).all()`), not from `ids.pop()`;
- frontiers: a `for` loop whose target the body never reads (`for _ in range(MAX_DEPTH)`) is a
  bounded `while`, and the paging test applies to it: one set-based statement per level of a
  tree (`UPDATE ... WHERE parent_id IN (:frontier) RETURNING id`, `if not newly: break`,
  `frontier = set(newly)`) is the batched form itself. A loop that reads its target
  (`for item in items: found = await session.get(Item, item.id)`, `if found is None: break`)
  is per item, and so is `for _ in range(n)` repeating a query it never tests;
- retries and polling: a loop whose body awaits `asyncio.sleep` (or anyio's, trio's) or, in
  synchronous code, calls `time.sleep`;
- over the members of an enum (`for reason in ResolutionReason`): a fixed set, like a literal;
- scripts: `for stmt in statements: await session.execute(text(stmt))` runs a different
  statement each time, not the same query per item; so does a query of the loop's model
  (`for model_class in models: db.query(model_class)...`, `select(model_class)`): another table;
- batches of keys: a `for` loop whose target, or a collection built from it, a query compares
  with SQL's IN (`for chunk in chunks: ... .where(Item.id.in_(chunk))`; `ids = {e.id for e in
  batch}`, then `.in_(ids)`; `for kind, ids in ids_by_kind.items(): ... .in_(ids)`, one query
  per group), or whose rows built from the target one statement inserts
  (`insert(Event).values([e.as_row() for e in batch])`);
- a synchronous `session.query(...)` built per item and run once after the loop (`qs =
  qs.union(q)`): only a query run in the same statement (`.all()`, `.first()`..., or iterated)
  is a query per item.

A call that leaves the loop right after, on every path, runs once: in a `return` or `raise`
statement (`for key in keys: if key in cache: return await repo.get(key)`), or before one in its
block (`await session.refresh(row)`, then `return row`); before a `break`, it runs once per
item of the loops outside the one it breaks, if any. A `continue` that may come first keeps the
call per item; an `except` that continues does not: the loop goes on only when the call failed
(`for slug in candidates: try: return await repo.claim(slug)` / `except Conflict: continue`
retries with the next candidate).

A call that fills in a local only while it is missing (`if rates is None: rates = await
repo.rates()`), which nothing else in the loop sets, runs for the first item that needs it and
never again: not reported. Reset in the loop (`rates = None` per item), it runs per item.

A call on a session opened in the loop's body, before the call, is each item's own unit of work
(one per tenant or schema), not N+1 on one session: not reported. Opened means bound by `with`,
`async with` or an assignment from a call that makes a session: a session class or sessionmaker
called (`Session(engine)`, `SessionLocal()`, `sessionmaker(bind=schema_engine)()`,
`async_session.begin()`), a function that hands one out (`get_session_context()`, a configured
factory), a sessionmaker the function keeps in a local (`sessionmaker =
create_async_sessionmaker(engine)` ... `async with sessionmaker() as session`), or a function it
defines that yields one (`with session_scope(schema_engine) as db_session`). The call uses the
session as its receiver, as an argument (`await order_service.void(session, order_id)`), or
through a repository built from it in the function (`repo = OrderRepository(session)`); a call
that also uses another session, or one no local names (`self._repository`), is reported. A
session opened outside the loop, or in an outer loop's body around an inner loop, is shared by
the items and reported; so is `object_session(item)`, which hands back the item's session.

Writes that must happen one after the other (each depends on the previous, or the order is
part of the contract) are legitimate: silence them with `# noqa: LL602` on the reported line.

## Why is this bad?
Each iteration is a round trip to the database; a page of 50 items becomes 51 queries, and
latency grows with the data instead of staying flat.

## Example
```python
async def get_orders(self, ids: list[str]) -> list[OrderResponse]:
    orders = []
    for order_id in ids:
        orders.append(await self._repository.get_by_id(order_id))
    return [OrderResponse.model_validate(o) for o in orders]
```

## Use instead
```python
async def get_orders(self, ids: list[str]) -> list[OrderResponse]:
    orders = await self._repository.get_many(ids)  # one query: WHERE id IN (...)
    return [OrderResponse.model_validate(o) for o in orders]
```

## Severity
Warning: the results are right, only slow; some loops are short by design.

## Options
- `sessions.factories`, `sessions.read` and `sessions.write`: a local opened from a session
  factory or from a function that hands out the session dependency is a session too, so its
  calls awaited per item are reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from itertools import islice, takewhile

from layerlint.core.diagnostic import Severity
from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import TypeRef, binds_locally, last_assignment
from layerlint.project.orm.sessions import QUERY_METHODS, FunctionSessions, database_library, opens_own_session
from layerlint.project.orm.soft_delete import COLLECTION_COPIES, QUERY_TERMINALS, FunctionQueries
from layerlint.project.project import Project
from layerlint.project.reading.expr import (
    Attribute,
    Await,
    Call,
    Comprehension,
    Constant,
    Expr,
    IfExp,
    List,
    Name,
    Set,
    Tuple,
    call_args,
    call_arguments,
    calls_in,
    dotted,
    render,
    unawait,
    walk,
)
from layerlint.project.reading.facts import Event, FunctionFact, ModuleFacts
from layerlint.rules._fallbacks import assigned_when_missing, fallback_nodes, optional_parameters, passes
from layerlint.rules._layers import decorated_with, layer_of, types
from layerlint.rules.base import Finding, Scope, rule

ENUMS = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})
BATCHING = frozenset({"itertools.batched", "more_itertools.chunked", "more_itertools.batched",
                      "more_itertools.ichunked", "more_itertools.sliced"})


def _constants(expr: Expr | None) -> bool:
    """A literal collection of constants (`("order", "customer")`, tuples of them): names of
    things, not records of data."""
    return isinstance(expr, (List, Tuple, Set)) and all(
        isinstance(e, Constant) or (isinstance(e, Tuple) and _constants(e)) for e in expr.elts)


def _constant_collection(project: Project, module: str, function: FunctionFact | None, expr: Expr | None,
                         line: int, depth: int = 0) -> bool:
    """A module-level constant holding a literal collection of constants (`for table in
    SCOPE_TABLES`), named directly, through a local alias, or as `A if rollback else B`."""
    if expr is None or depth > 4:
        return False
    if isinstance(expr, IfExp):
        return all(_constant_collection(project, module, function, e, line, depth + 1) for e in (expr.body, expr.orelse))
    if not isinstance(expr, Name):
        return function is None and _constants(expr)
    local = last_assignment(function.events, expr.id, line) if function is not None else None
    if local is not None:  # constants, or an alias of them; a collection built here is the function's data
        if isinstance(local.value, (List, Tuple, Set)) and local.value.elts and _constants(local.value):
            return True  # `TABLES = ["a", "b"]` inside the function: names of things, as at module level
        return isinstance(local.value, (Name, IfExp)) and \
            _constant_collection(project, module, function, local.value, local.span.line, depth + 1)
    if function is not None and (binds_locally(function, expr.id) or any(p.name == expr.id for p in function.params)):
        return False  # a parameter or a loop variable: data
    symbol = project.index.resolve_expr(module, expr)
    assigned = project.index.assignment(symbol)
    return assigned is not None and _constant_collection(project, symbol.module, None, assigned.value, 0, depth + 1)


def _not_per_item(project: Project, module: str, function: FunctionFact, event: Event) -> bool:
    """A `for` whose iterations are not items: a literal (`for period in ("day", "week")`), a
    module-level constant of constants, a fixed `range(3)`, or batches (`range(0, n, size)`,
    `itertools.batched(ids, 100)`)."""
    value = event.value
    if event.kind != "for" or value is None:
        return False
    if isinstance(value, (List, Tuple, Set)) or _constant_collection(project, module, function, value,
                                                                     event.span.line):
        return True
    if isinstance(value, (Name, Attribute)):  # `for reason in ResolutionReason`: an enum's members
        symbol = project.index.resolve_expr(module, value)
        return symbol.kind == "class" and project.index.inherits_from(symbol, ENUMS)
    if not isinstance(value, Call):
        return False
    called = project.index.resolve_expr(module, value.func).dotted
    arguments = call_args(value)
    if called == "builtins.range":
        return len(arguments) == 3 or (len(arguments) == 1 and isinstance(arguments[0], Constant))
    return called in BATCHING


def _loops(events: list[Event]) -> Iterator[tuple[int, Event, list[Event]]]:
    """Each loop header (a `for`, or a `while`'s test) with its index and the events of its body."""
    for index, header in enumerate(events):
        if header.kind in ("for", "test"):
            yield index, header, list(takewhile(lambda e: e.loop > header.loop, islice(events, index + 1, None)))


def _repeats(header: Event, body: list[Event]) -> bool:
    """A loop that repeats the same work rather than visiting items: a `while`, or a `for` whose
    target the body never reads (`for _ in range(MAX_DEPTH)`: a bounded `while`)."""
    if header.kind == "test":
        return True
    bound = {n.id for n in walk(header.target) if isinstance(n, Name)} if header.kind == "for" else set()
    return bool(bound) and not any(isinstance(n, Name) and n.id in bound
                                   for e in body for x in (e.value, e.target) for n in walk(x))


def _pagination(events: list[Event], queries: Callable[[Expr], bool]) -> tuple[set[tuple[int, ...]], set[int]]:
    """Queries of a repeating loop (`_repeats`) whose result the loop tests (`batch = await
    repo.page(offset)` ... `if not batch: break`), and the indexes of those loops' headers:
    fetching page after page, or tree level after tree level, not one query per item; what else
    the loop runs, it runs once per page. `queries` says which nodes fetch (any await in async
    code; a call that queries in synchronous code, not `names.pop()`)."""
    skipped: set[tuple[int, ...]] = set()
    headers: set[int] = set()
    for index, header, body in _loops(events):
        if not body or body[0].loop != header.loop + 1 or not _repeats(header, body):
            continue
        tested = {n.id for e in (header, *body) if e.kind == "test" for n in walk(e.value) if isinstance(n, Name)}
        # what each local holds: the awaits or calls its value came from, through other locals
        # (`result = await ...`, `rows = result.scalars().all()`, `if not rows: break`)
        sources: dict[str, set[tuple[int, ...]]] = {}
        for event in body:
            if event.kind not in ("assign", "annassign", "augassign") or event.target is None:
                continue
            found = {tuple(n.span) for n in walk(event.value) if isinstance(n, (Await, Call)) and queries(n)}
            found |= {span for n in walk(event.value) if isinstance(n, Name) for span in sources.get(n.id, ())}
            for target in (n.id for n in walk(event.target) if isinstance(n, Name)):
                sources[target] = sources.get(target, set()) | found
        paging = {span for name in tested for span in sources.get(name, ())}
        # tested as it is returned: `while True: ... if not await repo.slug_taken(slug): return slug`
        paging |= {tuple(n.span) for e in body if e.kind == "test" for n in walk(e.value)
                   if isinstance(n, (Await, Call)) and queries(n)}
        if paging:
            skipped |= paging
            headers.add(index)
    return skipped, headers


SLEEPS = frozenset({"asyncio.sleep", "anyio.sleep", "trio.sleep", "time.sleep"})


def _waiting_loops(project: Project, module: str, events: list[Event]) -> set[int]:
    """Indexes of loop headers whose body sleeps (awaited, or `time.sleep` in synchronous code):
    retries and polling, not items."""
    found: set[int] = set()
    for index, _, body in _loops(events):
        if any(isinstance(node, Call) and project.index.resolve_expr(module, node.func).dotted in SLEEPS
               for event in body for node in walk(event.value)):
            found.add(index)
    return found


def _batch_loops(events: list[Event]) -> set[int]:
    """Indexes of `for` loops whose iterations are batches: the body compares the target with
    SQL's IN (`for chunk in chunks: ... .where(Item.id.in_(chunk))`), or a collection built from
    it (`ids = {e.id for e in batch}`, then `.in_(ids)`), or inserts rows built from it in one
    statement (`insert(Event).values([e.as_row() for e in batch])`)."""
    found: set[int] = set()
    for index, header, body in _loops(events):
        target = header.target if header.kind == "for" else None
        # `for chunk in chunks`, or `for kind, ids in by_kind.items()`: any name the target binds
        names = {target.id} if isinstance(target, Name) else \
            {n.id for n in target.elts if isinstance(n, Name)} if isinstance(target, Tuple) else set()
        if not names:
            continue
        built: set[str] = set()  # locals holding a collection built from the target
        for event in body:
            if event.kind == "assign" and isinstance(event.target, Name) \
                    and _built_from(event.value, names | built):
                built.add(event.target.id)
        if any(_takes_batch(node, names, built) for event in body for node in walk(event.value)):
            found.add(index)
    return found


def _built_from(expr: Expr | None, names: set[str]) -> bool:
    """A collection made by iterating one of `names`: a comprehension over it, or `list(...)`,
    `set(...)`, `sorted(...)` of it (or of such a collection)."""
    if isinstance(expr, Comprehension):
        return any(isinstance(g.iter, Name) and g.iter.id in names for g in expr.generators)
    if isinstance(expr, Call) and dotted(expr.func) in COLLECTION_COPIES and len(call_args(expr)) == 1:
        first = call_args(expr)[0]
        return (isinstance(first, Name) and first.id in names) or _built_from(first, names)
    return False


def _takes_batch(node: Expr, targets: set[str], built: set[str]) -> bool:
    """`.in_(target)`, `.in_(ids)` or `.values(rows)` with a collection built from the target."""
    if not isinstance(node, Call) or not isinstance(node.func, Attribute) or not call_args(node):
        return False
    first = call_args(node)[0]
    from_target = (isinstance(first, Name) and first.id in built) or _built_from(first, targets | built)
    if node.func.attr in _IN_OPERATORS:
        return from_target or (isinstance(first, Name) and first.id in targets)
    return node.func.attr == "values" and from_target


_IN_OPERATORS = frozenset({"in_", "not_in", "notin_"})


def _loop_headers(project: Project, module: str, function: FunctionFact, paging: set[int]) -> list[int | None]:
    """For each event, the index of the header of its innermost enclosing loop over data that it
    runs in once per item (None when none): not the loops its block certainly leaves after it
    (`return await repo.get(x)`, `await db.refresh(row)` then `return row`, `... break`)."""
    headers: dict[int, int | None] = {}  # loop depth -> header index, None for a loop over a literal
    result: list[int | None] = []
    events = function.events
    waiting = _waiting_loops(project, module, events) | _batch_loops(events) | paging
    for index, event in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        enclosing = (headers.get(depth) for depth in range(event.loop - 1 - event.exits, -1, -1))
        result.append(next((header for header in enclosing if header is not None), None))
        if following is not None and following.loop > event.loop and event.kind in ("for", "test"):
            per_item = not _not_per_item(project, module, function, event) and index not in waiting
            headers[event.loop] = index if per_item else None
    return result


def _loaded_once(events: list[Event], header: int, index: int) -> bool:
    """Event `index` fills in a local the loop reads when it is still missing (`if rates is None:`
    then `rates = await repo.rates()`), and nothing else in the loop sets it: the first item that
    needs it loads it, the others reuse it."""
    name = assigned_when_missing(events, index)
    if name is None:
        return False
    body = takewhile(lambda e: e.loop > events[header].loop, islice(events, header + 1, None))
    return not any(number != index and any(isinstance(n, Name) and n.id == name for n in walk(event.target))
                   for number, event in enumerate(body, start=header + 1))


def _comprehension_units(expr: Expr | None, unit: type[Await] | type[Call]) -> Iterator[Await | Call]:
    """Awaits (or calls) evaluated once per item of a comprehension (its element, conditions,
    inner loops)."""
    for node in walk(expr):
        if not isinstance(node, Comprehension):
            continue
        generators = node.generators
        per_item: list[Expr] = [*node.elts, *(g.iter for g in generators[1:])]
        per_item += [condition for g in generators for condition in g.ifs]
        for part in per_item:
            yield from (n for n in walk(part) if isinstance(n, (Await, Call)) and isinstance(n, unit))


def _called(unit: Await | Call) -> Expr:
    """What an await or call runs: `self.session.get` for `await self.session.get(...)`."""
    call = unit.value if isinstance(unit, Await) else unit
    return call.func if isinstance(call, Call) else call


def _is_super(expr: Expr) -> bool:
    return isinstance(expr, Call) and expr.func == Name("super") and not call_args(expr)


# Session methods that each run a query (or load the object's cascades) when awaited.
PER_ITEM_SESSION_METHODS = QUERY_METHODS | {"refresh", "delete"}
RUNS_STATEMENT = frozenset({"execute", "exec", "scalars", "scalar", "stream", "stream_scalars", "query"})
# What runs a synchronous `session.query(...)`: a method at the end of its chain, or iterating it.
QUERY_RUNS = QUERY_TERMINALS | {"update", "exists", "paginate"}


def _chain_reaches(expr: Expr | None, target: Call) -> bool:
    """`target` is the head of the method chain `expr` (`db.query(M).filter(...)` reaches `db.query(M)`)."""
    while expr is not None:
        if expr is target:
            return True
        expr = expr.func.value if isinstance(expr, Call) and isinstance(expr.func, Attribute) else None
    return False


def _runs_query(event: Event, query: Call) -> bool:
    """A synchronous `session.query(...)` builds a query; it runs where the same statement ends its
    chain with `.all()`, `.first()`..., or iterates it (`for x in db.query(M)`)."""
    if event.kind == "for" and _chain_reaches(event.value, query):
        return True
    for node in walk(event.value):
        if isinstance(node, Call) and isinstance(node.func, Attribute) and node.func.attr in QUERY_RUNS \
                and _chain_reaches(node.func.value, query):
            return True
        if isinstance(node, Comprehension) and any(_chain_reaches(g.iter, query) for g in node.generators):
            return True
    return False


LAZY = "lazy load"


def _lazy_load(expr: Expr) -> bool:
    """`order.awaitable_attrs.lines`: SQLAlchemy's `AsyncAttrs` loading a relationship (a query)."""
    return isinstance(expr, Attribute) and isinstance(expr.value, Attribute) and expr.value.attr == "awaitable_attrs"


# How many functions deep the loop's calls are followed: a helper of a helper, a service's method
# and what it calls.
FOLLOW_DEPTH = 3
# Methods that run SQL on an object whose type is unknown (a driver's connection).
RUNS_SQL = RUNS_STATEMENT | {"commit", "flush", "executemany", "fetch", "fetchrow", "fetchval", "fetchall",
                             "fetchone", "fetch_all", "fetch_one", "fetch_val"}
Target = tuple[Symbol, FunctionFact]  # a project function, and its facts
CONSTRUCTED = ""  # a project class built without a project `__init__`: no call to follow


def _stub(function: FunctionFact) -> bool:
    """A body that only declares the method (`...`, a docstring, `raise NotImplementedError`): a
    protocol's or an abstract class's, whose work some other class does."""
    return decorated_with(function, "abstractmethod") or all(
        e.kind == "raise" or (e.kind == "expr" and isinstance(e.value, Constant)) for e in function.events)


class _Bodies:
    """What the project functions called in loops reach, followed through their bodies, once per
    function and depth for a run: the first call that queries (`queries`), and whether no call
    may (`clean`). The depth only grows, so a cycle of calls ends at `FOLLOW_DEPTH`."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._queries: dict[tuple[Symbol, int], str | None] = {}
        self._clean: dict[tuple[Symbol, int], bool] = {}
        self._fallbacks: dict[tuple[Symbol, int], str | None] = {}

    def _checker(self, target: Target, nesting: int) -> _Checker:
        symbol, function = target
        return _Checker(self.project, self.project.modules[symbol.module], function, self, nesting)

    def queries(self, target: Target, nesting: int) -> str | None:
        """The first call in the body that queries, described, judged as the loop's own calls are."""
        key = (target[0], nesting)
        if key not in self._queries:
            self._queries[key] = self._checker(target, nesting).first_query()
        return self._queries[key]

    def fallback(self, target: Target, nesting: int) -> str | None:
        """The optional parameter every query of the body is a fallback for (`_fallbacks`)."""
        key = (target[0], nesting)
        if key not in self._fallbacks:
            self._fallbacks[key] = self._checker(target, nesting).fallback_parameter()
        return self._fallbacks[key]

    def clean(self, target: Target, nesting: int) -> bool:
        """No call in the body may reach the database: none queries, and each other call is into
        a library that is not a database's, or into a project function whose body is clean in
        turn. A body too deep to follow, or a stub, may."""
        key = (target[0], nesting)
        if key not in self._clean:
            self._clean[key] = nesting <= FOLLOW_DEPTH and not _stub(target[1]) \
                and self.queries(target, nesting) is None and self._checker(target, nesting).clean()
        return self._clean[key]


class _Checker:
    def __init__(self, project: Project, facts: ModuleFacts, function: FunctionFact, bodies: _Bodies,
                 nesting: int = 0) -> None:
        self.project = project
        self.facts = facts
        self.function = function
        self.bodies = bodies
        self.nesting = nesting  # functions followed so far
        self.owner = Symbol("class", facts.module, function.class_name) if function.class_name else None
        self.cls = TypeRef(self.owner) if self.owner else None
        # async code awaits its queries; synchronous code calls a synchronous session
        self.unit: type[Await] | type[Call] = Await if function.is_async else Call

    @cached_property
    def sessions(self) -> FunctionSessions:
        return FunctionQueries(self.project, self.facts, self.function).sessions

    def fetches(self, node: Expr) -> bool:
        """A node whose result a paging loop can test: an await, or a call that queries."""
        if self.unit is Await:
            return isinstance(node, Await)
        return isinstance(node, Call) and self.layer_call(node, 0) is not None

    def units(self, expr: Expr | None) -> Iterator[Await | Call]:
        """The awaits (async code) or calls (synchronous code) in `expr`."""
        return (n for n in walk(expr) if isinstance(n, (Await, Call)) and isinstance(n, self.unit))

    def layer_call(self, unit: Await | Call, line: int) -> str | None:
        """What the awaited (or, in synchronous code, called) call queries through: a session, a
        repository or service (awaited only; a service's method whose body cannot reach the
        database does not count), or a helper of the same class that does (its first such call,
        described); inside a helper, also the base class's method it extends (`super().create(data)`)."""
        call = unit.value if isinstance(unit, Await) else unit
        if isinstance(unit, Await) and _lazy_load(call):
            return LAZY
        if isinstance(unit, Await) and isinstance(call, Call) and (found := self._handed_function(call)) is not None:
            return self.bodies.queries(found, self.nesting + 1)
        if not isinstance(call, Call) or not isinstance(call.func, Attribute):
            return None
        receiver_expr = call.func.value
        if call.func.attr in PER_ITEM_SESSION_METHODS and self.sessions.is_session(receiver_expr):
            return "session"
        if receiver_expr == Name("self"):
            return self.helper_query(call.func.attr, call)
        if self.nesting and _is_super(receiver_expr):
            return self.helper_query(call.func.attr, call, inherited=True)
        if not isinstance(unit, Await):
            return None  # a synchronous repository method may not touch the database at all
        receiver = types(self.project).expression(self.facts.module, self.function, receiver_expr, self.cls, line)
        layer = layer_of(self.project, receiver.symbol) if receiver else None
        if layer == "service" and receiver is not None and self.clean_method(receiver.symbol, call.func.attr):
            return None  # `stripe_service.account_exists(id)`: calls Stripe, not the database
        return layer

    def _handed_function(self, call: Call) -> Target | None:
        """In a method followed from a loop, a module-level project function handed a session
        (`await get_setting(key, session=session)`): followed into its body like a method of
        the class. Not in the loop's own body: a function called there with the session and the
        item may take a batch (`await run_batched_update(session, batch)`) or run another
        statement each time, which only its body says, and the loop's exemptions read the loop."""
        if not 0 < self.nesting < FOLLOW_DEPTH \
                or not any(self.sessions.is_session(argument) for argument in call_arguments(call)):
            return None
        symbol = self.project.index.resolve_expr(self.facts.module, call.func)
        function = self.project.index.function_fact(symbol) if symbol.kind == "function" else None
        if function is None or function.class_name is not None or not function.is_async:
            return None
        return symbol, function

    def clean_method(self, cls: Symbol, name: str) -> bool:
        """`cls`'s method `name` is the project's, and its body cannot reach the database."""
        found = self.project.index.method(cls, name)
        return found is not None and self.bodies.clean(found, self.nesting + 1)

    @cached_property
    def loop_variables(self) -> set[str]:
        return {n.id for e in self.function.events if e.kind == "for" for n in walk(e.target) if isinstance(n, Name)}

    def runs_loop_variable(self, unit: Await | Call) -> bool:
        """`for stmt in statements: await db.execute(text(stmt))`: each iteration runs another
        statement (a script), or queries another table (`db.query(model_class)`,
        `execute(select(model_class))`), not the same query for another item."""
        call = unit.value if isinstance(unit, Await) else unit
        if not isinstance(call, Call) or not isinstance(call.func, Attribute) or call.func.attr not in RUNS_STATEMENT:
            return False
        first = call_args(call)[0] if call_args(call) else None
        if isinstance(first, Call) and len(call_args(first)) == 1:  # `text(stmt)`
            first = call_args(first)[0]
        return isinstance(first, Name) and first.id in self.loop_variables

    def helper_query(self, name: str, call: Call, inherited: bool = False) -> str | None:
        """`self._load(row)` (`super().create(data)` when `inherited`): the method's own first
        query, if it has one; an async method for async code, a synchronous one for synchronous.
        None when the call passes what the method's queries are a fallback for
        (`self._to_model(row, grants=grants_by_row[row.id])`)."""
        if self.owner is None or self.nesting >= FOLLOW_DEPTH:
            return None
        index = self.project.index
        bases = index.mro(self.owner)[1:] if inherited else (self.owner,)
        found = next((m for base in bases if (m := index.method(base, name)) is not None), None)
        if found is None or found[1].is_async != (self.unit is Await):
            return None
        # the base's method an override extends is the same call, not one more helper deep
        nesting = self.nesting if inherited else self.nesting + 1
        query = self.bodies.queries(found, nesting)
        if query is not None and (given := self.bodies.fallback(found, nesting)) is not None \
                and passes(call, found[1], given):
            return None
        return query

    def first_query(self) -> str | None:
        """The body's first call that queries (`layer_call`), described for the message."""
        for event in self.function.events:
            for unit in (n for e in (event.value, event.target) for n in self.units(e)):
                if self.layer_call(unit, event.span.line):
                    return f"`{render(_called(unit))}` on line {event.span.line}"
        return None

    def fallback_parameter(self) -> str | None:
        """The optional parameter (default None) that every query of the body runs only without:
        each is in the branch of an `if`-expression or an `or` for its absence, or fills it in
        after an `if` that tests it is missing."""
        optional = optional_parameters(self.function)
        if not optional:
            return None
        events = self.function.events
        guards: set[str] = set()
        for index, event in enumerate(events):
            filled = assigned_when_missing(events, index)
            for expr in (event.value, event.target):
                fallbacks = fallback_nodes(expr)
                for unit in self.units(expr):
                    if not self.layer_call(unit, event.span.line):
                        continue
                    guard = filled or fallbacks.get(id(unit))
                    if guard not in optional:
                        return None
                    guards.add(guard)
        return guards.pop() if len(guards) == 1 else None

    def clean(self) -> bool:
        """No call of the body may reach the database (the calls `first_query` judges aside)."""
        for event in self.function.events:
            for expr in (event.value, event.target):
                awaited = {id(n.value) for n in walk(expr) if isinstance(n, Await)}
                if any(self.may_query(call, id(call) in awaited, event.span.line) for call in calls_in(expr)):
                    return False
        return True

    def may_query(self, call: Call, awaited: bool, line: int) -> bool:
        """The call may reach the database: a session's method (`add`, `flush`), a project
        function whose body is not clean, a database library's call, a call handed a session,
        or a call whose target is unknown that is awaited or runs SQL (`conn.fetch(...)`)."""
        func = call.func
        if isinstance(func, Attribute) and self.sessions.is_session(func.value):
            return True
        target = self.callee(call, line)
        if isinstance(target, tuple):
            return not self.bodies.clean(target, self.nesting + 1)
        if any(self.sessions.is_session(argument) for argument in call_arguments(call)):
            return True
        if target is not None:
            return database_library(target)
        return awaited or (isinstance(func, Attribute) and func.attr in RUNS_SQL)

    def callee(self, call: Call, line: int) -> Target | str | None:
        """What a call runs: a project function (through imports, module-level objects, `self`,
        typed attributes, `super()`, a function defined in this one), an external name
        (`stripe.Account.retrieve_async`, `builtins.len`), `CONSTRUCTED`, or None when unknown."""
        func = call.func
        index = self.project.index
        module = self.facts.module
        if isinstance(func, Attribute) and _is_super(func.value):
            bases = index.mro(self.owner)[1:] if self.owner else ()
            return next((m for base in bases if (m := index.method(base, func.attr)) is not None), None)
        name = dotted(func)
        head = name.split(".", 1)[0] if name else None
        if head is not None and not self.binds(head):
            symbol = index.resolve_expr(module, func)
            if symbol.kind == "function":
                fact = index.function_fact(symbol)
                return (symbol, fact) if fact is not None else None
            if symbol.kind == "class":
                found = index.method(symbol, "__init__")
                return found if found is not None else CONSTRUCTED
            if symbol.kind == "external":
                return symbol.dotted
        if isinstance(func, Name):  # `session_scope(engine)` defined in this function
            inner = Symbol("function", module, f"{self.function.qualname}.<locals>.{func.id}")
            fact = index.function_fact(inner)
            return (inner, fact) if fact is not None else None
        if not isinstance(func, Attribute):
            return None
        receiver = types(self.project).expression(module, self.function, func.value, self.cls, line)
        if receiver is None or receiver.symbol.kind not in ("class", "external"):
            return None
        if receiver.symbol.kind == "external":
            return f"{receiver.symbol.dotted}.{func.attr}"
        found = index.method(receiver.symbol, func.attr)
        if found is not None:
            return found
        # a method a library base defines (`httpx.AsyncClient`'s, a CRUD library's)
        external = [base.dotted for base in index.mro(receiver.symbol) if base.kind == "external"]
        return next((f"{base}.{func.attr}" for base in external), None)

    def binds(self, name: str) -> bool:
        """`name` is `self`, a parameter or a local of the function, not a module-level name."""
        return name in ("self", "cls") or any(p.name == name for p in self.function.params) \
            or binds_locally(self.function, name)

    def opened_in_loop(self, unit: Await | Call, header: int, index: int) -> bool:
        """The call uses only sessions opened in the body of its loop, before it (`with
        session_scope(engine) as db_session:`, `async with sessionmaker() as session:`, `db =
        SessionLocal()`): a unit of work per item (per tenant, per schema), not N+1 on one session."""
        call = unit.value if isinstance(unit, Await) else unit
        events = self.function.events
        used = self.sessions_used(call, events[index].span.line) if isinstance(call, Call) else None
        if not used:
            return False
        depth = events[header].loop
        opened = {e.target.id for e in events[header + 1:index]
                  if e.loop > depth and e.kind in ("with", "assign") and isinstance(e.target, Name)
                  and opens_own_session(self.project, self.facts.module, self.function, e.value)}
        return used <= opened

    def sessions_used(self, call: Call, line: int) -> set[str] | None:
        """The local names of the sessions a call uses: its receiver, a session handed to it, the
        sessions a local receiver was built with (`repo = ItemRepository.from_session(session)`);
        None when it uses a session no local names (`self._repository`, `Repo(self.session)`)."""
        receiver = call.func.value if isinstance(call.func, Attribute) else None
        used = {e.id for e in (receiver, *call_arguments(call)) if isinstance(e, Name) and self.sessions.is_session(e)}
        held: list[Expr] = []  # what the receiver was built with, or the receiver itself
        if isinstance(receiver, Name) and receiver.id not in used:
            built = last_assignment(self.function.events, receiver.id, line)
            value = unawait(built.value) if built is not None else None
            held = call_arguments(value) if isinstance(value, Call) else []
        elif receiver is not None and not isinstance(receiver, Name):
            held = [receiver]
        for expr in held:
            if isinstance(expr, Name) and self.sessions.is_session(expr):
                used.add(expr.id)
            elif self.sessions.is_session(expr) or self.sessions.key(expr) is not None:
                return None
        return used

    def findings(self) -> Iterator[tuple[Await | Call, int, str]]:
        pagination, paging = _pagination(self.function.events, self.fetches)
        events = self.function.events
        headers = _loop_headers(self.project, self.facts.module, self.function, paging)
        for index, (event, header) in enumerate(zip(events, headers)):
            candidates: list[tuple[Await | Call, int, int | None]] = []
            if header is not None:
                line = events[header].span.line
                candidates += [(n, line, header) for e in (event.value, event.target) for n in self.units(e)]
            candidates += [(n, event.span.line, None) for n in _comprehension_units(event.value, self.unit)]
            seen: set[tuple[int, ...]] = set()
            for unit, line, loop in candidates:
                if tuple(unit.span) in pagination or tuple(unit.span) in seen:
                    continue
                through = self.layer_call(unit, event.span.line)
                if through == "session" and isinstance(unit, Call) and isinstance(unit.func, Attribute) \
                        and unit.func.attr == "query" and not _runs_query(event, unit):
                    continue  # a query built per item and run once, later (`qs = qs.union(q)`)
                if not through or (through == "session" and self.runs_loop_variable(unit)):
                    continue
                if loop is not None and self.opened_in_loop(unit, loop, index):
                    continue  # each item's own session: judged again if a comprehension repeats it
                if loop is not None and _loaded_once(events, loop, index):
                    continue
                seen.add(tuple(unit.span))
                yield unit, line, through


@rule("LL602", "await-in-loop", "A repository, service or session call runs once per item of a loop (N+1)", __doc__,
      severity=Severity.WARNING, tags=("async", "performance"),
      scope=Scope.MODULE, analyses=("roles", "types", "session_providers"),
      options=("sessions.factories", "sessions.read", "sessions.write"))
def check(project: Project) -> Iterator[Finding]:
    bodies = _Bodies(project)
    for facts in project.checked():
        for function in facts.functions:
            how = "awaited" if function.is_async else "called"
            for unit, line, through in _Checker(project, facts, function, bodies).findings():
                if through == LAZY:
                    lazy = unit.value if isinstance(unit, Await) else unit
                    yield Finding(facts, unit.span, f"`{render(lazy)}` lazy-loads a relationship once per "
                                                  f"item of the loop on line {line} (N+1 queries); load it with "
                                                  f"the items (`selectinload(...)` in their query)")
                    continue
                queries = f" queries ({through} in its body) and" if through and through.startswith("`") else ""
                yield Finding(facts, unit.span, f"`{render(_called(unit))}(...)`{queries} is {how} once per item of "
                                              f"the loop on line {line} (N+1 queries); fetch all items in one call")
