'''## What it does
Reports a repository class (a class whose name ends with `Repository` in a module with the
repository role) that does not derive from the configured base repository. The base class
itself, Protocols, and abstract classes named `Base...` are not reported.

## Why is this bad?
The base repository is where the shared behaviour lives: the soft-delete filter, `get_by_id`,
pagination, the session handling. A repository that starts from scratch re-implements them,
usually without the soft-delete filter.

## Example
```python
class ItemRepository:
    def __init__(self, session: AsyncSession):
        self.session = session
```

## Use instead
```python
class ItemRepository(BaseRepository[Item]):
    def __init__(self, session: AsyncSession):
        super().__init__(session, Item)
```

## Options
- `repositories.base-class`: the base repository, by name or dotted path (default
  `BaseRepository`).
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.project import Project
from layerlint.project.symbols import Symbol
from layerlint.rules.base import Finding, rule

_INTERFACES = frozenset({"typing.Protocol", "typing_extensions.Protocol"})
_ABSTRACT = frozenset({"abc.ABC", "abc.ABCMeta"})


def _is_interface(project: Project, symbol: Symbol, name: str) -> bool:
    mro = project.index.mro(symbol)
    if any(s.dotted in _INTERFACES for s in mro):
        return True
    fact = project.index.class_fact(symbol)
    abstract = any(s.dotted in _ABSTRACT for s in mro) or (
        fact is not None and any(project.index.resolve_expr(symbol.module, v).dotted in _ABSTRACT
                                 for v in fact.keywords.values()))
    return abstract and name.startswith("Base")


@rule("LL403", "repository-without-base", "A repository does not extend the base repository", __doc__,
      tags=("repositories",))
def check(project: Project) -> Iterator[Finding]:
    base = project.config.base_repository
    short = base.rsplit(".", 1)[-1]
    for facts in project.modules_with_role("repository"):
        for cls in facts.classes:
            if cls.qualname != cls.name or not cls.name.endswith("Repository") or cls.name == short:
                continue
            symbol = Symbol("class", facts.module, cls.qualname)
            if project.index.inherits_from(symbol, {base}) or _is_interface(project, symbol, cls.name):
                continue
            yield Finding(facts, cls.span, f"repository `{cls.name}` does not derive from `{short}`; extend it "
                                           "(or set `repositories.base-class` if the project's base has another name)")
