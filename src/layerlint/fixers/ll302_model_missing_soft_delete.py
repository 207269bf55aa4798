"""LL302: display-only; the nullable soft-delete column to add, at the end of the model's class.

Never applied: the column needs a migration, and a project that has a soft-delete mixin should
inherit it instead (the finding's message names the mixin when there is one).
"""

from __future__ import annotations

import libcst as cst

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Applicability, Fix
from layerlint.fixers.base import FixSite


def fix(site: FixSite, diagnostic: Diagnostic) -> Fix | None:
    from layerlint.project.index.symbols import Symbol
    from layerlint.rules._models import column_example

    cls = site.class_at(diagnostic.line)
    column = site.config.soft_delete_column
    if cls is None or not isinstance(cls.body, cst.IndentedBlock) or f"no `{column}` column" not in diagnostic.message:
        return None
    project = site.project()
    facts = next((f for f in project.modules.values() if f.path == site.path), None)
    fact = next((c for c in facts.classes if c.span.line == diagnostic.line), None) if facts else None
    if facts is None or fact is None:
        return None
    example = column_example(project, Symbol("class", facts.module, fact.qualname), column, True).strip("`")
    statement = cst.parse_statement(f"{example}\n")
    with_column = cls.with_changes(body=cls.body.with_changes(body=(*cls.body.body, statement)))
    return site.fix(f"Add a nullable `{column}` column (then a migration)", Applicability.DISPLAY_ONLY,
                    cls, with_column)
