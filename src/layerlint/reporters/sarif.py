"""SARIF 2.1.0 for GitHub code scanning: one run, every rule in `tool.driver`, one result per finding.

Paths are relative to the repository root (`%SRCROOT%`, the directory holding `.git`), lines and
columns 1-based, columns count characters (`columnKind`). `partialFingerprints` hash the baseline
key (code, path, what the finding is about, occurrence: see baseline.py), so a finding keeps its
identity when lines are added above it or its statement is reflowed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from layerlint import __version__
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Fix
from layerlint.reporters.base import Report

if TYPE_CHECKING:
    from layerlint.rules.base import Rule

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/layerlint/layerlint"
FINGERPRINT_KEY = "layerlint/v2"  # v1 hashed the flagged line's text
SRCROOT = "%SRCROOT%"
MAX_DESCRIPTION = 1024  # GitHub shows no more
CATEGORIES = {"0": "input", "1": "layers", "2": "routes", "3": "models", "4": "repositories",
              "5": "services", "6": "async", "7": "types"}


def what_it_does(docs: str) -> str:
    """The first paragraph of `## What it does`, within GitHub's 1024 characters: fullDescription."""
    lines = docs.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if line.strip() == "## What it does"), 0)
    paragraph: list[str] = []
    for line in lines[start:]:
        if line.startswith("## ") or (not line.strip() and paragraph):
            break
        if line.strip():
            paragraph.append(line.strip())
    return _shorten(" ".join(paragraph), MAX_DESCRIPTION)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit - 1)
    return text[:cut + 1] if cut > 0 else text[:limit - 1] + "…"


def plain_text(markdown: str) -> str:
    """SARIF's `help.text` is plain text (viewers without markdown show it as is): headings lose
    their `#`, code blocks lose their fences and are indented instead."""
    lines: list[str] = []
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif in_code:
            lines.append(f"    {line}")
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
            lines.append(heading if heading.endswith(("?", ".", ":")) else f"{heading}:")
        else:
            lines.append(line)
    return "\n".join(lines)


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    help_markdown = f"{rule.summary}.\n\n{rule.docs}"
    tags = [CATEGORIES.get(rule.code[2], "other"), *rule.tags]
    return {
        "id": rule.code,
        "name": "".join(word.capitalize() for word in rule.name.split("-")),  # SARIF2012: Pascal case
        "shortDescription": {"text": f"{rule.summary}."},
        "fullDescription": {"text": what_it_does(rule.docs)},
        "help": {"text": plain_text(help_markdown), "markdown": help_markdown},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": rule.severity.sarif_level},
        "properties": {"tags": sorted(set(tags))},
    }


def result(diagnostic: Diagnostic, rule_index: int, fingerprint: str) -> dict[str, Any]:
    where = diagnostic.location
    region = {"startLine": where.line, "startColumn": where.column,
              "endLine": max(where.end_line, where.line), "endColumn": max(where.end_column, 1)}
    return {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": diagnostic.severity.sarif_level,  # as configured: it may differ from the rule's default
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(diagnostic.path), "uriBaseId": SRCROOT},
            "region": region,
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        **({"fixes": [fix_object(diagnostic.path, diagnostic.fix)]} if diagnostic.fix and diagnostic.fix.edits else {}),
    }


def fix_object(path: str, fix: Fix) -> dict[str, Any]:
    """SARIF's `fix`: one artifact change with a replacement per edit; 1-based columns, and an
    empty deleted region inserts. The applicability (ruff's) is a property: SARIF has no such field."""
    replacements = [{
        "deletedRegion": {"startLine": edit.line, "startColumn": edit.column + 1,
                          "endLine": edit.end_line, "endColumn": edit.end_column + 1},
        "insertedContent": {"text": edit.content},
    } for edit in fix.edits]
    return {
        "description": {"text": fix.message},
        "artifactChanges": [{"artifactLocation": {"uri": quote(path), "uriBaseId": SRCROOT},
                             "replacements": replacements}],
        "properties": {"applicability": fix.applicability.value},
    }


class SarifReporter:
    name = "sarif"
    shows_statistics = False
    carries_fixes = True  # each finding with its fix, as ruff\'s JSON
    repository_paths = True  # code scanning reads URIs from the repository root (%SRCROOT%)

    def render(self, report: Report) -> str:
        """Every rule is described, found or not."""
        index = {r.code: i for i, r in enumerate(report.rules)}
        run = {
            "tool": {"driver": {
                "name": "layerlint", "version": __version__, "semanticVersion": __version__,
                "informationUri": INFORMATION_URI, "rules": [rule_descriptor(r) for r in report.rules],
            }},
            "invocations": [{"executionSuccessful": True}],
            "originalUriBaseIds": {SRCROOT: {"uri": report.root.resolve().as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": [result(d, index[d.code], f) for d, f in zip(report.diagnostics, report.fingerprints)],
        }
        return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)
