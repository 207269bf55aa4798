"""The reporter registry: one line per output format. The same table gives the CLI its `--format`
choices; each reporter turns a `Report` (reporters.base) into its format."""

from __future__ import annotations

from layerlint.reporters.base import Reporter
from layerlint.reporters.github import GithubReporter
from layerlint.reporters.gitlab import GitlabReporter
from layerlint.reporters.grouped import GroupedReporter
from layerlint.reporters.json import JsonReporter
from layerlint.reporters.json_lines import JsonLinesReporter
from layerlint.reporters.junit import JunitReporter
from layerlint.reporters.pylint_text import PylintReporter
from layerlint.reporters.sarif import SarifReporter
from layerlint.reporters.text import ConciseReporter, TextReporter

REPORTERS: dict[str, Reporter] = {reporter.name: reporter for reporter in (
    TextReporter(),
    ConciseReporter(),
    GroupedReporter(),
    JsonReporter(),
    JsonLinesReporter(),
    SarifReporter(),
    GithubReporter(),
    GitlabReporter(),
    JunitReporter(),
    PylintReporter(),
)}

# The formats a person reads: a progress line on the terminal may go with them, never with the others.
HUMAN_FORMATS = frozenset({"text", "concise", "grouped"})
