"""The flake8 plugin (entry point `LL` in group `flake8.extension`): layerlint's findings as flake8 errors.

flake8 hands over one file at a time, possibly in several worker processes; the findings come
from the whole project (see `findings`), so LL102 or LL207 land in the file they concern.
flake8 applies its own `# noqa`, `--select` and `--extend-ignore` to what is yielded here;
`[tool.layerlint]` in pyproject.toml still configures the rules.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator

from layerlint import __version__
from layerlint.core.config import ConfigError
from layerlint.integrations.findings import LintRun

# Not a rule: reported on line 1 when `[tool.layerlint]` is invalid, as flake8 reports E902 when a
# file cannot be read. A traceback (or a hung `-j` pool) would hide which key is wrong.
CONFIG_ERROR_CODE = "LL000"


class LayerlintChecker:
    name = "layerlint"
    version = __version__
    lint_run = LintRun()

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        # Called once per flake8 run (and in each -j worker): start from the files as they are now.
        cls.lint_run = LintRun()

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        # `tree` is unused (layerlint reads the project itself) but makes this an AST plugin.
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type[LayerlintChecker]]]:
        # `lines` is what flake8 read, decoded and with "\n" newlines: the file, or stdin placed
        # by `--stdin-display-name`.
        try:
            found = self.lint_run.findings_for(self.filename, "".join(self.lines))
        except ConfigError as error:
            yield 1, 0, f"{CONFIG_ERROR_CODE} layerlint configuration error: {error}", type(self)
            return
        for diagnostic in found:
            yield diagnostic.line, diagnostic.column - 1, f"{diagnostic.code} {diagnostic.message}", type(self)
