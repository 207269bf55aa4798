"""What every reporter is: a name (the `--format` value) and `render(report) -> str`.

A `Report` is one run's findings and what some formats need besides them (the project root,
terminal settings). Values any format may need and that cost time, like the rules' descriptions
and the fingerprints, are computed here once, on first use, and shared by every reporter that asks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.records import field, record

if TYPE_CHECKING:  # only for its type: the reporters never run a rule
    from layerlint.rules.base import Rule


@record(frozen=True)
class Report:
    diagnostics: Sequence[Diagnostic]  # sorted, as shown
    files_checked: int
    root: Path
    overrides: Mapping[str, bytes] = field(default_factory=dict)  # buffers checked in a file's place
    color: bool = False
    statistics: bool = False  # the counts per code in place of the findings (human formats, json)
    quiet: bool = False  # the findings alone, without the summary

    @cached_property
    def rules(self) -> Sequence[Rule]:
        """Every rule, found or not (SARIF describes them all). Imported on first use: loading the
        rules costs ~70 ms, which a run answered from the cache in text form never pays."""
        from layerlint.rules import RULES

        return RULES

    @cached_property
    def fingerprints(self) -> list[str]:
        """`fingerprints[i]` identifies `diagnostics[i]` across edits: the hashed baseline key."""
        from layerlint import baseline

        return [entry.fingerprint() for entry in baseline.entries_for(self.diagnostics)]


class Reporter(Protocol):
    @property
    def name(self) -> str:
        """The `--format` value."""

    @property
    def shows_statistics(self) -> bool:
        """Whether `--statistics` has a form in this format (a usage error where it has none)."""

    def render(self, report: Report) -> str:
        """The whole output, without a final newline."""
