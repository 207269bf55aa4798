"""LL202 and LL203's fix: the handler's session dependency swapped for the other kind, in the
parameter's own form: `Depends(get_write_session)` becomes `Depends(get_read_session)`, the
`WriteSession` alias becomes `ReadSession`, `Annotated[AsyncSession, Depends(...)]` keeps its shape.

The other one is found by its name (write <-> read, as the configured defaults pair them). The
fix is safe when that name is importable from the module the current one is imported from (or
defined beside it); unsafe when it is only a configured dotted path elsewhere; absent otherwise.
Only a dependency named in the handler's own parameters is swapped: one reached through a
service factory is the factory's to change.
"""

from __future__ import annotations

import re

import libcst as cst

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Applicability, Fix
from layerlint.fixers.base import FixSite

_WORDS = {"write": "read", "read": "write"}
_DEPENDS = frozenset({"Depends", "Security"})


def swap_session(site: FixSite, diagnostic: Diagnostic, current_kind: str) -> Fix | None:
    function = site.function_at(diagnostic.line)
    if function is None:
        return None
    project = site.project()
    facts = next((f for f in project.modules.values() if f.path == site.path), None)
    if facts is None:
        return None
    current = _configured(site, current_kind)
    for name in _session_names(function):
        if not _is_kind(project, facts.module, name.value, current):
            continue
        target = _swapped(name.value)
        if target is None:
            return None
        found = _where_importable(project, facts, name.value, target, _configured(site, _WORDS[current_kind]))
        if found is None:
            return None
        source, applicability = found
        imports = [(source, target)] if source != facts.module else []
        message = f"Use `{target}` instead of `{name.value}`"
        swapped = function.deep_replace(name, name.with_changes(value=target))  # the function: found quickly
        return site.fix(message, applicability, function, swapped, imports,
                        _absolute_import_of(facts, name.value))
    return None


def _absolute_import_of(facts: object, bound: str) -> list[tuple[str, str]]:
    """`(module, name)` of the absolute `from module import name` that binds `bound`, if any: the
    import the swap may leave unused (relative ones are left alone, libcst matches them by text)."""
    from layerlint.project.reading.facts import ModuleFacts

    assert isinstance(facts, ModuleFacts)
    return [(i.target, i.name) for i in facts.imports
            if i.kind == "from" and i.bound == bound == i.name and i.level == 0 and not i.in_function]


def _configured(site: FixSite, kind: str) -> tuple[str, ...]:
    return site.config.read_sessions if kind == "read" else site.config.write_sessions


def _session_names(function: cst.FunctionDef) -> list[cst.Name]:
    """The names a parameter's dependency is written with: `Depends(X)` defaults, `X` annotations
    (an alias) and `Depends(X)` inside an `Annotated[...]` annotation."""
    names: list[cst.Name] = []
    parameters = function.params
    for param in (*parameters.posonly_params, *parameters.params, *parameters.kwonly_params):
        if isinstance(param.default, cst.Call) and _depends_target(param.default) is not None:
            names.append(_depends_target(param.default))  # type: ignore[arg-type]
        annotation = param.annotation.annotation if param.annotation else None
        if isinstance(annotation, cst.Name):
            names.append(annotation)
        elif isinstance(annotation, cst.Subscript):
            names += [t for e in annotation.slice if isinstance(e.slice, cst.Index)
                      and isinstance(e.slice.value, cst.Call)
                      and (t := _depends_target(e.slice.value)) is not None]
    return names


def _depends_target(call: cst.Call) -> cst.Name | None:
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    if name in _DEPENDS and call.args and isinstance(call.args[0].value, cst.Name):
        return call.args[0].value
    return None


def _is_kind(project: object, module: str, name: str, configured: tuple[str, ...]) -> bool:
    """Whether `name` (in `module`) is one of the configured dependencies, or an alias of one."""
    from layerlint.project.reading.expr import render
    from layerlint.project.project import Project

    assert isinstance(project, Project)
    last_parts = {c.rsplit(".", 1)[-1] for c in configured}
    if name in last_parts:
        return True
    event = project.index.assignment(project.index.resolve_name(module, name))
    text = render(event.value) if event is not None and event.value is not None else ""
    return any(re.search(rf"\b{re.escape(part)}\b", text) for part in last_parts)


def _swapped(name: str) -> str | None:
    swapped = re.sub(r"(?i)write|read", lambda m: _same_case(_WORDS[m.group(0).lower()], m.group(0)), name)
    return swapped if swapped != name else None


def _same_case(word: str, like: str) -> str:
    if like.isupper():
        return word.upper()
    return word.capitalize() if like[0].isupper() else word


def _where_importable(project: object, facts: object, current: str, target: str,
                      configured: tuple[str, ...]) -> tuple[str, Applicability] | None:
    """The module to import `target` from, and how sure that is."""
    from layerlint.project.reading.facts import ModuleFacts
    from layerlint.project.project import Project

    assert isinstance(project, Project) and isinstance(facts, ModuleFacts)
    imported = next((i for i in facts.imports if i.kind == "from" and i.bound == current), None)
    source = imported.target if imported is not None else facts.module
    if project.index.resolve_name(source, target).known:
        return source, Applicability.SAFE
    dotted = next((c for c in configured if c.rsplit(".", 1)[-1] == target and "." in c), None)
    if dotted is not None:
        return dotted.rsplit(".", 1)[0], Applicability.UNSAFE
    return None
