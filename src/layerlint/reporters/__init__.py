"""The reporter registry: one line per output format. The same table gives the CLI its `--format`
choices; each reporter turns a `Report` (reporters.base) into its format."""

from __future__ import annotations

from layerlint.reporters.base import Reporter
from layerlint.reporters.github import GithubReporter
from layerlint.reporters.json import JsonReporter
from layerlint.reporters.sarif import SarifReporter
from layerlint.reporters.text import TextReporter

REPORTERS: dict[str, Reporter] = {reporter.name: reporter for reporter in (
    TextReporter(),
    JsonReporter(),
    SarifReporter(),
    GithubReporter(),
)}
