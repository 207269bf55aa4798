"""Which codes are on: select/ignore/extend-select and per-file-ignores, as ruff and flake8 read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from layerlint.core.globs import match_path

if TYPE_CHECKING:
    from layerlint.core.config import Config


def _matches(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(prefix == "ALL" or code.startswith(prefix) for prefix in prefixes)


def _specificity(code: str, prefixes: tuple[str, ...]) -> int:
    return max((len(p) for p in prefixes if p == "ALL" or code.startswith(p)), default=-1)


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, config: Config) -> Selection:
        return cls(config.select + config.extend_select, config.ignore, config.per_file_ignores)

    def enabled(self, code: str) -> bool:
        # As in ruff: the more specific prefix wins; on a tie, ignore wins.
        selected = _specificity(code, self.select)
        return selected >= 0 and selected > _specificity(code, self.ignore)

    def enabled_in(self, code: str, path: str) -> bool:
        if not self.enabled(code):
            return False
        return not any(match_path(glob, path) and _matches(code, codes) for glob, codes in self.per_file_ignores)
