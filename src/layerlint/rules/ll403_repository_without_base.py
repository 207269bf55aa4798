'''## What it does
Reports a repository class (a class whose name ends with `Repository` in a module with the
repository role) that does not derive from the configured base repository. The base class
itself, Protocols and abstract classes (interfaces) are not reported. When no class of the
project is the configured base but repositories share another base class, the base is taken to
have another name: nothing is reported, and `layerlint roles` prints a note saying what to set.

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

## Severity
Warning: the repository may work; it misses what the base class gives (the soft-delete
filter, shared helpers), which LL402 reports as an error where it matters.

## Options
- `repositories.base-class`: the base repository, by name or dotted path (default
  `BaseRepository`).
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.orm.repositories import repository_classes
from layerlint.project.project import Project
from layerlint.rules.base import Finding, Scope, rule


@rule("LL403", "repository-without-base", "A repository does not extend the base repository", __doc__,
      severity=Severity.WARNING, tags=("repositories",),
      scope=Scope.MODULE, analyses=("roles", "unconfigured_base"), options=("repositories.base-class",))
def check(project: Project) -> Iterator[Finding]:
    if project.unconfigured_base:
        return  # the project's base has another name: `layerlint roles` says which to configure
    base = project.config.base_repository
    short = base.rsplit(".", 1)[-1]
    for repository in repository_classes(project):
        if project.index.inherits_from(repository.symbol, {base}):
            continue
        yield Finding(repository.facts, repository.fact.span,
                      f"repository `{repository.fact.name}` does not derive from `{short}`; extend it (or set "
                      "`repositories.base-class` if the project's base has another name)")
