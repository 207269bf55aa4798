"""Background tasks: functions a worker runs (celery, dramatiq, rq, taskiq, huey), whatever their module is called.

A module that defines one is an entry point of the application, a peer of the routers: the
worker calls into it as a request calls into a route handler.
"""

from __future__ import annotations

from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.reading.expr import Call, Expr, calls_in, dotted, is_call
from layerlint.project.reading.facts import FunctionFact, ModuleFacts

# Decorators that register a function as a task, by their dotted name.
TASK_DECORATORS = frozenset({
    "celery.shared_task", "celery.app.shared_task", "dramatiq.actor", "dramatiq.actor.actor",
    "rq.job", "rq.decorators.job", "huey.contrib.djhuey.task", "huey.contrib.djhuey.periodic_task",
})
# Task applications and brokers whose instances' method of that name registers a task
# (`celery_app = Celery(...)`, then `@celery_app.task`), by the class's dotted name prefix.
TASK_APPS = {"celery.Celery": "task", "celery.app.base.Celery": "task", "huey.": "task", "taskiq": "task"}
# A project decorator wrapping one of these (`def actor(...): ... dramatiq.actor(fn)`) is followed
# this deep: a factory returning a decorator whose body registers the task is two levels.
MAX_DEPTH = 3


class TaskDecorators:
    """Which project functions register a task when called, each asked once per run: polar
    decorates hundreds of tasks with its own `@actor`, whose body was read again for each."""

    def __init__(self) -> None:
        self.found: dict[tuple[Symbol, int], str | None] = {}


def task_decorator(index: SymbolIndex, facts: ModuleFacts, known: TaskDecorators | None = None) -> str | None:
    """Why the module defines a background task: its first task function, the decorator as
    written and, for a project decorator, the library's that it calls."""
    known = known if known is not None else TaskDecorators()
    for function in facts.functions:
        if function.nested:
            continue
        for decorator in function.decorators:
            target = decorator.func if is_call(decorator) else decorator
            found = _registers_task(index, facts.module, target, 0, known)
            if found is not None:
                wrapper = index.resolve_expr(facts.module, target).kind == "function"
                wraps = f", which calls `{found}`" if wrapper else ""
                return f"`{function.name}` (`@{dotted(target) or found}`{wraps})"
    return _registered_by_call(index, facts, known)


def _registered_by_call(index: SymbolIndex, facts: ModuleFacts, known: TaskDecorators) -> str | None:
    """A task registered by calling the decorator on a module-level name: `cleanup =
    dramatiq.actor(CleanupTask())` (fief's tasks), `send = celery_app.task(send_email)`."""
    for event in facts.events:
        if event.kind not in ("assign", "annassign") or event.target is None or not is_call(event.value):
            continue
        call = event.value
        target = call.func.func if is_call(call.func) else call.func  # `app.task(name=...)(fn)` too
        found = _registers_task(index, facts.module, target, 0, known)
        if found is not None:
            return f"`{dotted(event.target) or found}` (`{dotted(target) or found}(...)`)"
    return None


def _registers_task(index: SymbolIndex, module: str, target: Expr, depth: int, known: TaskDecorators) -> str | None:
    """`target`'s dotted name when calling it registers a task: a task decorator of a library,
    the task method of a task app, or a project function whose body calls one of those."""
    symbol = index.resolve_expr(module, target)
    if symbol.kind == "external" and symbol.dotted in TASK_DECORATORS:
        return symbol.dotted
    name = dotted(target) or ""
    receiver, _, method = name.rpartition(".")
    if receiver and _task_app_method(index, module, receiver) == method:
        return name
    if symbol.kind == "function" and depth < MAX_DEPTH:
        if (symbol, depth) not in known.found:
            known.found[(symbol, depth)] = _wrapped_task_decorator(index, symbol, depth, known)
        return known.found[(symbol, depth)]
    return None


def _task_app_method(index: SymbolIndex, module: str, receiver: str) -> str | None:
    """The task-registering method of the task app `receiver` names (`celery_app`), if it is one:
    by its annotation, the class it instantiates, or the return annotation of the factory called."""
    head, _, rest = receiver.partition(".")
    symbol = index.resolve_name(module, head)
    for attribute in rest.split(".") if rest else ():
        symbol = index.member(symbol, attribute)
    event = index.assignment(symbol)
    if event is None:
        return None
    made = event.annotation or (event.value.func if is_call(event.value) else None)
    cls = index.resolve_expr(symbol.module, made)
    factory = index.function_fact(cls)
    if factory is not None and factory.returns is not None:
        cls = index.resolve_expr(cls.module, factory.returns)
    return next((method for prefix, method in TASK_APPS.items() if cls.dotted.startswith(prefix)), None)


def _wrapped_task_decorator(index: SymbolIndex, symbol: Symbol, depth: int, known: TaskDecorators) -> str | None:
    """The task decorator the project function (or a function nested in it) calls, if any."""
    facts = index.modules.get(symbol.module)
    if facts is None:
        return None
    inner = [f for f in facts.functions if f.qualname == symbol.name or f.qualname.startswith(symbol.name + ".")]
    for function in inner:
        for call in _calls(function):
            found = _registers_task(index, symbol.module, call.func, depth + 1, known)
            if found is not None:
                return found
    return None


def _calls(function: FunctionFact) -> list[Call]:
    return [call for event in function.events for expr in (event.value, event.target) for call in calls_in(expr)]
