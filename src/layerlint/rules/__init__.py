"""The rule registry: one line per rule. The same list feeds the engine, the CLI, docs, SARIF and pylint."""

from __future__ import annotations

from layerlint.rules import (
    ll001_unparsable_file,
    ll101_router_imports_repository,
    ll102_router_reaches_repository,
    ll103_upward_import,
    ll104_router_accesses_database,
    ll105_service_accesses_database,
    ll201_sync_route_handler,
    ll202_read_route_with_write_session,
    ll203_write_route_with_read_session,
    ll204_route_returns_orm_model,
    ll205_route_accepts_orm_model,
    ll206_session_without_depends,
    ll207_router_not_registered,
    ll301_model_id_not_ulid,
    ll302_model_missing_soft_delete,
    ll303_naive_timestamp,
    ll304_model_missing_timestamps,
    ll305_duplicate_id_prefix,
    ll401_hard_delete,
    ll402_query_ignores_soft_delete,
    ll403_repository_without_base,
)
from layerlint.rules.base import Rule

RULES: tuple[Rule, ...] = (
    ll001_unparsable_file.check,
    ll101_router_imports_repository.check,
    ll102_router_reaches_repository.check,
    ll103_upward_import.check,
    ll104_router_accesses_database.check,
    ll105_service_accesses_database.check,
    ll201_sync_route_handler.check,
    ll202_read_route_with_write_session.check,
    ll203_write_route_with_read_session.check,
    ll204_route_returns_orm_model.check,
    ll205_route_accepts_orm_model.check,
    ll206_session_without_depends.check,
    ll207_router_not_registered.check,
    ll301_model_id_not_ulid.check,
    ll302_model_missing_soft_delete.check,
    ll303_naive_timestamp.check,
    ll304_model_missing_timestamps.check,
    ll305_duplicate_id_prefix.check,
    ll401_hard_delete.check,
    ll402_query_ignores_soft_delete.check,
    ll403_repository_without_base.check,
)

RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
