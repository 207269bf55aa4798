"""The kept per-module results store: `kept.json`, by module path, [facts digest, {name: value}],
what a `Kept` function (project/index/kept.py) computed from a module's facts of that digest.

A run reads it when a rule first asks for a kept result, and adds what it computed: in the rule
workers too, which send theirs back with their findings (`fresh`, rule_pool). A module's entry
is dropped when its facts change; saving writes the file only when something new was computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from layerlint.cache.storage import CacheDirectory

NAME = "kept.json"

Fresh = dict[str, dict[str, Any]]  # path -> {name: value}, computed in this run


class KeptStore:
    """`KeptResults` over `kept.json`; `digest_of(path)`: the facts digest of the module there now."""

    def __init__(self, directory: CacheDirectory, digest_of: Callable[[str], str]) -> None:
        self.directory = directory
        self.digest_of = digest_of
        self.fresh: Fresh = {}
        self._by_path: dict[str, Any] | None = None

    def _stored(self) -> dict[str, Any]:
        if self._by_path is None:
            document = self.directory.read(NAME) or {}
            by_path = document.get("by_path")
            self._by_path = by_path if isinstance(by_path, dict) else {}
        return self._by_path

    def _values(self, path: str, digest: str) -> dict[str, Any]:
        """The values stored for the module at `path` from facts of `digest` (none: another digest)."""
        entry = self._stored().get(path)
        if type(entry) is not list or len(entry) != 2 or entry[0] != digest or type(entry[1]) is not dict:
            return {}
        values: dict[str, Any] = entry[1]
        return values

    def get(self, name: str, path: str) -> Any | None:
        return self._values(path, self.digest_of(path)).get(name)

    def put(self, name: str, path: str, value: Any) -> None:
        self.fresh.setdefault(path, {})[name] = value

    def take_fresh(self) -> Fresh:
        """What was computed since the last call (a rule worker's, sent back with its findings)."""
        fresh, self.fresh = self.fresh, {}
        return fresh

    def add(self, fresh: Fresh) -> None:
        """What a rule worker computed."""
        for path, values in fresh.items():
            self.fresh.setdefault(path, {}).update(values)

    def save(self, paths: Iterable[str]) -> None:
        """The project's modules' (at `paths`) kept results, if this run computed any."""
        if not self.fresh or not self.directory.writable():
            return
        by_path: dict[str, list[Any]] = {}
        for path in paths:
            digest = self.digest_of(path)
            values = {**self._values(path, digest), **self.fresh.get(path, {})}
            if values:
                by_path[path] = [digest, values]
        self.directory.write(NAME, {"by_path": by_path})
        self.fresh = {}
