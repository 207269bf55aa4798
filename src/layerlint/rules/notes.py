"""Things worth telling the user about the project that are not findings (shown by `layerlint roles`,
`layerlint routes` and `check`): configuration gaps the model sees, and which rules they silence."""

from __future__ import annotations

from layerlint.project.project import Project
from layerlint.project.routing.dependencies import unconfigured_session_providers

def project_notes(project: Project) -> list[str]:
    notes = [f"{module} applies with_loader_criteria globally; if it hides soft-deleted rows, consider "
             'ignore = ["LL402"]' for module in project.global_filters]
    other = project.unconfigured_base
    if other is not None:
        notes.append(f"no class is the configured base repository `{project.config.base_repository}`, "
                     f"but {other[1]} {'repositories derive' if other[1] > 1 else 'repository derives'} from `{other[0]}`: set [tool.layerlint.repositories] "
                     f'base-class = "{other[0]}" (LL403 stays silent until then)')
    unresolved = project.routes.unresolved
    if unresolved:
        places = ", ".join(f"{path}:{line}" for path, line in unresolved[:5])
        notes.append(f"{len(unresolved)} include_router call(s) include a router layerlint cannot resolve "
                     f"({places}); LL207 stays silent for the project")
    providers = unconfigured_session_providers(project)
    if providers:
        notes.append(f"database sessions come from {', '.join(providers[:3])}, but no read or write session "
                     "dependency is configured: set [tool.layerlint.sessions] read/write to their names "
                     "(until then `layerlint routes` shows no session kind and LL202/LL203 stay silent)")
    return notes
