"""Things worth telling the user about the project that are not findings (shown by `layerlint roles`)."""

from __future__ import annotations

from layerlint.project.dependencies import unconfigured_session_providers
from layerlint.project.project import Project
from layerlint.project.repositories import unconfigured_base
from layerlint.project.routes import route_table
from layerlint.project.soft_delete import global_filters


def project_notes(project: Project) -> list[str]:
    notes = project.memo.get("notes")
    if notes is None:
        notes = [f"{module} applies with_loader_criteria globally; if it hides soft-deleted rows, consider "
                 'ignore = ["LL402"]' for module in global_filters(project)]
        other = unconfigured_base(project)
        if other is not None:
            notes.append(f"no class is the configured base repository `{project.config.base_repository}`, "
                         f"but {other[1]} repositories derive from `{other[0]}`: set [tool.layerlint.repositories] "
                         f'base-class = "{other[0]}" (LL403 stays silent until then)')
        unresolved = route_table(project).unresolved
        if unresolved:
            places = ", ".join(f"{path}:{line}" for path, line in unresolved[:5])
            notes.append(f"{len(unresolved)} include_router call(s) include a router layerlint cannot resolve "
                         f"({places}); LL207 stays silent for the project")
        providers = unconfigured_session_providers(project)
        if providers:
            notes.append(f"database sessions come from {', '.join(providers[:3])}, but no read or write session "
                         "dependency is configured: set [tool.layerlint.sessions] read/write to their names "
                         "(until then `layerlint routes` shows no session kind and LL202/LL203 stay silent)")
        project.memo["notes"] = notes
    return notes  # type: ignore[return-value]
