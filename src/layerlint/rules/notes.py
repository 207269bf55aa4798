"""Things worth telling the user about the project that are not findings (shown by `layerlint roles`,
`layerlint routes` and `check`): configuration gaps the model sees, and which rules they silence;
configured names that name nothing in the project."""

from __future__ import annotations

import difflib

from layerlint.project.reading.expr import Name, Tuple
from layerlint.project.project import Project
from layerlint.project.routing.dependencies import unconfigured_session_providers

# Keys whose values name functions, classes or module-level objects of the project.
NAMING_KEYS = (("sessions.read", "read_sessions"), ("sessions.write", "write_sessions"),
               ("sessions.factories", "session_factories"), ("repositories.base-class", "base_repository"),
               ("repositories.soft-delete-helpers", "soft_delete_helpers"))


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


def configuration_warnings(project: Project) -> list[str]:
    """A configured name no function, class or module-level name of the project is called: a typo
    that would leave the rules reading it silent (LL202/LL203 for sessions, LL403, LL402)."""
    config = project.config
    defined = _defined_names(project)
    warnings: list[str] = []
    for key, attribute in NAMING_KEYS:
        if key not in config.configured:
            continue
        value = getattr(config, attribute)
        for name in (value,) if isinstance(value, str) else value:
            if name.rsplit(".", 1)[-1] not in defined:
                close = difflib.get_close_matches(name.rsplit(".", 1)[-1], sorted(defined), n=1)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                warnings.append(f"{config.file}: [tool.layerlint] `{key}`: `{name}` names nothing in the "
                                f"project{hint}")
    return warnings


def _defined_names(project: Project) -> set[str]:
    names: set[str] = set()
    for facts in project.modules.values():
        names.update(function.name for function in facts.functions)
        names.update(cls.name for cls in facts.classes)
        for event in facts.events:
            if event.kind in ("assign", "annassign"):
                targets = event.target.elts if isinstance(event.target, Tuple) else [event.target]
                names.update(target.id for target in targets if isinstance(target, Name))
    return names
