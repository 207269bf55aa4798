"""## What it does
Reports a file that cannot be read, decoded or parsed: a syntax error, a bad encoding, or
nesting too deep for the parser. The run goes on with every other file. A `.py` path that is
not a regular file (a FIFO, a device, a dangling or looping symlink) or that cannot be opened
is reported too, never read, as flake8 and ruff report E902.

## Why is this bad?
A file layerlint cannot parse is a file no rule has checked. Newer grammar (PEP 695 type
parameters, PEP 701 f-strings, PEP 758 `except A, B:`) is understood even on Python 3.11, so
this fires only for files that are genuinely broken.

## Example
```python
def create_item(:
    ...
```

## Use instead
```python
async def create_item(request: ItemCreateRequest) -> ItemResponse:
    ...
```
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.project import Project
from layerlint.rules.base import Finding, Scope, rule


@rule("LL001", "unparsable-file", "A file cannot be read, decoded or parsed", __doc__, tags=("input",),
      scope=Scope.MODULE, analyses=())
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked():
        if facts.failure is not None:
            failure = facts.failure
            span = (failure.line, failure.column, failure.line, failure.column)
            yield Finding(facts, span, f"{failure.message}; the file was not checked")
