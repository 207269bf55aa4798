"""LL203: swap the read session for the write one, keeping the parameter's form (see fixers._session_swap)."""

from __future__ import annotations

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Fix
from layerlint.fixers._session_swap import swap_session
from layerlint.fixers.base import FixSite


def fix(site: FixSite, diagnostic: Diagnostic) -> Fix | None:
    return swap_session(site, diagnostic, "read")
