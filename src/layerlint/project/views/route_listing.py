"""What `layerlint routes` shows: every route as layerlint understands it."""

from __future__ import annotations

from layerlint.core.records import record
from layerlint.project.project import Project
from layerlint.project.reading.expr import render
from layerlint.project.routing.dependencies import session_kind_label
from layerlint.project.routing.routes import mount_paths


@record(frozen=True, order=True)
class RouteRow:
    path: str
    method: str
    handler: str  # module:function
    session: str  # read, write, both, none
    response_model: str


def route_rows(project: Project) -> list[RouteRow]:
    table = project.routes
    rows: list[RouteRow] = []
    for handler in table.handlers:
        unmounted = "(mount unknown)" if table.unresolved else "(not included)"  # dynamic include_router
        mounts = mount_paths(table, handler.router) or [f"{unmounted} {handler.router.prefix}"]
        session = session_kind_label(project.dependencies.handler_sessions(handler))
        response = render(handler.response_model if handler.response_model is not None else handler.function.returns)
        target = f"{handler.module.module}:{handler.function.qualname}"
        for mount in mounts:
            for method in handler.methods:
                rows.append(RouteRow(mount + handler.path or "/", method, target, session, response or "-"))
    return sorted(rows)
