"""The fixer registry: one line per fixable rule. A fixer is a libcst transform in its own module
beside the others here; the rule's documentation (its `## Fix safety` section) says when and why
the fix is unsafe.

The table names modules instead of importing them: fixes are computed for findings that may come
from the cache, and a run whose findings have no fixer must not pay for libcst or the rules.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from layerlint.fixers.base import Fixer

FIXERS: dict[str, str] = {
    "LL201": "ll201_sync_route_handler",
    "LL202": "ll202_read_route_with_write_session",
    "LL203": "ll203_write_route_with_read_session",
    "LL301": "ll301_model_id_not_ulid",
    "LL302": "ll302_model_missing_soft_delete",
    "LL303": "ll303_naive_timestamp",
    "LL702": "ll702_missing_return_annotation",
    "LL703": "ll703_request_dto_allows_extra",
}


def fixer_for(code: str) -> Fixer | None:
    name = FIXERS.get(code)
    if name is None:
        return None
    return cast("Fixer", import_module(f"layerlint.fixers.{name}").fix)
