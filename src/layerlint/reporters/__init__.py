"""The reporter registry: one line per output format. The same table gives the CLI its `--format`
choices; each reporter turns a `Report` (reporters.base) into its format.

A reporter's module is imported when its format is asked for: the CLI names every format on each
run, and importing all ten (XML, SARIF's tables) was 3 ms of a 0.1 s run answered from the cache."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module

from layerlint.reporters.base import Reporter

# --format value -> "module:class" of its reporter, in the order `--help` lists them.
_WHERE = {
    "text": "text:TextReporter",
    "concise": "text:ConciseReporter",
    "grouped": "grouped:GroupedReporter",
    "json": "json:JsonReporter",
    "json-lines": "json_lines:JsonLinesReporter",
    "sarif": "sarif:SarifReporter",
    "github": "github:GithubReporter",
    "gitlab": "gitlab:GitlabReporter",
    "junit": "junit:JunitReporter",
    "pylint": "pylint_text:PylintReporter",
}


class _Registry(Mapping[str, Reporter]):
    """Format name -> its reporter, each built the first time it is asked for."""

    def __init__(self, where: dict[str, str]) -> None:
        self._where = where
        self._built: dict[str, Reporter] = {}

    def __getitem__(self, name: str) -> Reporter:
        reporter = self._built.get(name)
        if reporter is None:
            module, cls = self._where[name].split(":")
            reporter = self._built[name] = getattr(import_module(f"{__name__}.{module}"), cls)()
        return reporter

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


REPORTERS: Mapping[str, Reporter] = _Registry(_WHERE)

# The formats a person reads: a progress line on the terminal may go with them, never with the others.
HUMAN_FORMATS = frozenset({"text", "concise", "grouped"})
