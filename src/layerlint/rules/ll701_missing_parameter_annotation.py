"""## What it does
Reports a parameter of a first-party function (nested functions included, lambdas excepted)
that has no type annotation, `*args` and `**kwargs` included. The implicit first parameter of
a method (`self`, `cls`) is excepted. The rule agrees with ruff's ANN001, ANN002 and ANN003 on
the same files (a test compares them); tests are skipped by default.

## Why is this bad?
The layer rules resolve types from annotations: an unannotated `session` or `repository`
parameter is invisible to them, and to the type checker that would catch a table model
leaking out of a service.

## Example
```python
async def get_item(self, item_id, session):
    ...
```

## Use instead
```python
async def get_item(self, item_id: str, session: AsyncSession) -> ItemResponse:
    ...
```

## Severity
Convention: a missing annotation is style, not a defect; it is reported because it hides
types from the other rules and from the type checker. It counts as a convention message in
pylint's score (C), a note in SARIF and a notice on GitHub.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.project import Project
from layerlint.rules._annotations import checked_functions, missing_parameters
from layerlint.rules.base import Finding, Scope, rule

_STARS = {"vararg": "*", "kwarg": "**"}


@rule("LL701", "missing-parameter-annotation", "A function parameter has no type annotation", __doc__,
      severity=Severity.CONVENTION, tags=("types",),
      scope=Scope.MODULE, analyses=())
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked():
        for function in checked_functions(facts):
            for param in missing_parameters(function):
                name = f"{_STARS.get(param.kind, '')}{param.name}"
                yield Finding(facts, param.span, f"parameter `{name}` of `{function.qualname}` has no type "
                                                 "annotation; annotate it")
