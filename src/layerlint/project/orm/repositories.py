"""Repository classes and the base repository they should extend (`repositories.base-class`)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from layerlint.core.records import record
from layerlint.project.index.symbols import Symbol
from layerlint.project.reading.expr import Subscript, dotted
from layerlint.project.reading.facts import ClassFact, ModuleFacts

if TYPE_CHECKING:  # the model builds this analysis; the analysis needs only its type
    from layerlint.project.project import Project

_INTERFACES = frozenset({"typing.Protocol", "typing_extensions.Protocol"})
_ABSTRACT = frozenset({"abc.ABC", "abc.ABCMeta"})


@record(frozen=True)
class RepositoryClass:
    facts: ModuleFacts
    fact: ClassFact
    symbol: Symbol


def _is_interface(project: Project, symbol: Symbol, fact: ClassFact) -> bool:
    """A Protocol or an abstract class (`ABC` or `metaclass=ABCMeta` as its own base, or abstract
    methods of its own), whatever its name: the concrete repositories must extend the base."""
    bases = {s.dotted for s in project.index.base_symbols(symbol)}
    if bases & (_INTERFACES | _ABSTRACT):
        return True
    if any(project.index.resolve_expr(symbol.module, v).dotted in _ABSTRACT for v in fact.keywords.values()):
        return True
    methods = [project.index.function_fact(Symbol("function", symbol.module, q)) for q in fact.methods]
    return any((dotted(d) or "").endswith("abstractmethod") for m in methods if m for d in m.decorators)


def is_repository_class(project: Project, symbol: Symbol) -> bool:
    """A class of the repository layer: defined in a repository module, or named `...Repository`
    outside a service module."""
    if symbol.kind != "class":
        return False
    role = project.role(symbol.module)
    return role == "repository" or (role != "service" and symbol.name.endswith("Repository"))


def repository_classes(project: Project) -> list[RepositoryClass]:
    """`...Repository` classes of repository modules, minus the base itself and interfaces."""
    short = project.config.base_repository.rsplit(".", 1)[-1]
    found: list[RepositoryClass] = []
    for facts in project.modules_with_role("repository"):
        for cls in facts.classes:
            if cls.qualname != cls.name or not cls.name.endswith("Repository") or cls.name == short:
                continue
            symbol = Symbol("class", facts.module, cls.qualname)
            if not _is_interface(project, symbol, cls):
                found.append(RepositoryClass(facts, cls, symbol))
    return found


def base_is_defined(project: Project) -> bool:
    base = project.config.base_repository
    short = base.rsplit(".", 1)[-1]
    if "." in base:
        return project.index.resolve_dotted(base).kind == "class"
    return any(cls.name == short for facts in project.modules.values() for cls in facts.classes)


def common_base(project: Project) -> tuple[str, int] | None:
    """The project class most repositories derive from directly, when two or more share one, or
    when the one repository extending it does so as a base: generic (`CRUDBase[User]`, a class
    with `Generic[...]`) or named so (`...Base...`)."""
    counts: Counter[str] = Counter()
    shaped: set[str] = set()
    for repository in repository_classes(project):
        written = {dotted(b.value) for b in repository.fact.bases if isinstance(b, Subscript)}
        for base in project.index.base_symbols(repository.symbol):
            if base.kind == "class":
                name = base.name.rsplit(".", 1)[-1]
                counts[name] += 1
                if "Base" in name or _is_generic(project, base) or any(
                        w and w.rsplit(".", 1)[-1] == name for w in written):
                    shaped.add(name)
    if not counts:
        return None
    name, count = counts.most_common(1)[0]
    return (name, count) if count >= 2 or name in shaped else None


def _is_generic(project: Project, symbol: Symbol) -> bool:
    fact = project.index.class_fact(symbol)
    return fact is not None and any(
        isinstance(b, Subscript) and (dotted(b.value) or "").rsplit(".", 1)[-1] == "Generic" for b in fact.bases)


def find_unconfigured_base(project: Project) -> tuple[str, int] | None:
    """Project.unconfigured_base: the configured base does not exist, but repositories share
    another: a configuration gap."""
    return None if base_is_defined(project) else common_base(project)
