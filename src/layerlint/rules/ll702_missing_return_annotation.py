"""## What it does
Reports a first-party function (nested functions included, lambdas excepted) without a return
annotation. `__init__` with at least one annotated parameter is excepted (mypy's rule, and
ruff's `mypy-init-return`), so the style guide's own classes are clean. The rule agrees with
ruff's ANN201, ANN202, ANN204, ANN205 and ANN206 with `mypy-init-return = true` (a test
compares them); tests are skipped by default.

## Why is this bad?
The return annotation is what LL501 and LL204 read to tell a DTO from a table model, and
what the type checker uses to keep ORM objects out of the API. An unannotated service method
can return anything.

## Example
```python
async def get_item(self, item_id: str):
    ...
```

## Use instead
```python
async def get_item(self, item_id: str) -> ItemResponse:
    ...
```

## Fix safety
`--fix` adds `-> None` to a function that never returns a value: no `return` with a value other
than `None` and no `yield` in its own body (nested functions and lambdas return for themselves).
The fix is safe: an annotation does not change what the function does, and a route handler
annotated `-> None` still has no response model. Generators, functions that return values,
`@overload` and `@abstractmethod` declarations and stubs (`...`, `raise NotImplementedError`)
get no fix: their return type is for a person to say.

## Severity
Convention: a missing annotation is style, not a defect; it is reported because it hides
the returned type from LL501 and LL204 and from the type checker. It counts as a convention
message in pylint's score (C), a note in SARIF and a notice on GitHub.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.project import Project
from layerlint.rules._annotations import checked_functions, needs_return_annotation
from layerlint.rules.base import Finding, Scope, rule


@rule("LL702", "missing-return-annotation", "A function has no return annotation", __doc__, tags=("types",),
      severity=Severity.CONVENTION, scope=Scope.MODULE, analyses=())
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked():
        for function in checked_functions(facts):
            if needs_return_annotation(function):
                yield Finding(facts, function.span, f"`{function.qualname}` has no return annotation; "
                                                    "annotate what it returns (`-> None` if nothing)")
