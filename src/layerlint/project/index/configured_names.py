"""Configured names checked against the project: a session dependency, base class or helper the
configuration names but the project does not define is a typo that would leave the analyses
reading it silent, so it is a configuration error, as a role glob that matches no module is."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from layerlint.core.config import Config, ConfigError
from layerlint.project.reading.expr import Name, Tuple
from layerlint.project.reading.facts import ModuleFacts

# Keys whose values name functions, classes or module-level objects, and the Config attribute of each.
NAMING_KEYS = (("sessions.read", "read_sessions"), ("sessions.write", "write_sessions"),
               ("sessions.factories", "session_factories"), ("repositories.base-class", "base_repository"),
               ("repositories.soft-delete-helpers", "soft_delete_helpers"))


def check_configured_names(config: Config, modules: Mapping[str, ModuleFacts]) -> None:
    """Raise ConfigError for the first configured name that names nothing the project defines.
    A dotted name outside the project's packages (a library's dependency) cannot be checked
    without importing it, and is taken as given; so is every name while a module does not parse
    (it may define the name: the file is reported as unparsable, not the configuration)."""
    configured = [(key, getattr(config, attribute)) for key, attribute in NAMING_KEYS if key in config.configured]
    if not configured or any(facts.failure is not None for facts in modules.values()):
        return
    defined = defined_names(modules.values())
    packages = {module.partition(".")[0] for module in modules}
    for key, value in configured:
        for name in (value,) if isinstance(value, str) else value:
            head, _, last = name.rpartition(".")
            if last in defined or (head and head.partition(".")[0] not in packages):
                continue
            close = difflib.get_close_matches(last, sorted(defined), n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise ConfigError(config.file, key, f"`{name}` names nothing in the project{hint}")


def defined_names(modules: Iterable[ModuleFacts]) -> set[str]:
    """Every function, class and module-level name the modules define."""
    names: set[str] = set()
    for facts in modules:
        names.update(function.name for function in facts.functions)
        names.update(cls.name for cls in facts.classes)
        for event in facts.events:
            if event.kind in ("assign", "annassign"):
                targets = event.target.elts if isinstance(event.target, Tuple) else [event.target]
                names.update(target.id for target in targets if isinstance(target, Name))
    return names
