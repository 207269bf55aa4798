"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding."""

from __future__ import annotations

from layerlint.core.diagnostic import Diagnostic
from layerlint.reporters.base import Report


def escape_data(text: str) -> str:
    """The message part: GitHub's runner unescapes %25, %0D and %0A."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Property values also end at `,` and `:`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic) -> str:
    command = diagnostic.severity.github_command
    where = diagnostic.location
    properties = {
        "file": diagnostic.path,
        "line": where.line, "col": where.column, "endLine": where.end_line, "endColumn": where.end_column,
        "title": f"{diagnostic.code} {diagnostic.name}",
    }
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{command} {rendered}::{escape_data(f'{diagnostic.code} {diagnostic.message}')}"


class GithubReporter:
    name = "github"
    shows_statistics = False

    def render(self, report: Report) -> str:
        return "\n".join(annotation(d) for d in report.diagnostics)
