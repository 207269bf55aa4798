"""LL201: `def` to `async def` on a route handler (unsafe: a blocking body then blocks the event loop)."""

from __future__ import annotations

import libcst as cst

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Applicability, Fix
from layerlint.fixers.base import FixSite, outcome_of


def fix(site: FixSite, diagnostic: Diagnostic) -> Fix | None:
    function = site.function_at(diagnostic.line)
    # a generator (a streaming response's) would become an async generator: another contract
    if function is None or function.asynchronous is not None or outcome_of(function).yields:
        return None
    made_async = function.with_changes(asynchronous=cst.Asynchronous())
    return site.fix(f"Make `{function.name.value}` async", Applicability.UNSAFE, function, made_async)
