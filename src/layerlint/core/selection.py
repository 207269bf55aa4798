"""Which codes are on: select/ignore/extend-select and per-file-ignores, as ruff and flake8 read them;
and at which severity (`[tool.layerlint.severity]`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from layerlint.core.diagnostic import Severity
from layerlint.core.globs import match_path
from layerlint.core.records import record

if TYPE_CHECKING:
    from layerlint.core.config import Config


def _matches(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(prefix == "ALL" or code.startswith(prefix) for prefix in prefixes)


def _specificity(code: str, prefixes: tuple[str, ...]) -> int:
    return max((len(p) for p in prefixes if p == "ALL" or code.startswith(p)), default=-1)


@record(frozen=True)
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


def severity_of(code: str, default: Severity, severities: tuple[tuple[str, str], ...]) -> Severity:
    """The configured severity of the most specific code or prefix that matches `code` (`LL7`,
    then `LL701`, wins over `ALL`), else the rule's `default`."""
    matching = [(len(prefix) if prefix != "ALL" else 0, level) for prefix, level in severities
                if prefix == "ALL" or code.startswith(prefix)]
    return Severity(max(matching)[1]) if matching else default
