"""The fix value (core/fix.py) and how JSON and SARIF carry it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from layerlint.core.diagnostic import Diagnostic, Location
from layerlint.core.fix import Applicability, Edit, Fix, LineIndex, apply_edits
from layerlint.reporters.base import Report
from layerlint.reporters.json import JsonReporter
from layerlint.reporters.sarif import SarifReporter
from test_reports_and_baseline import schema

SOURCE = "def f(x):\r\n    return x\r\n\ndef g():\n    pass\n"
ARROW = Edit(4, 7, 4, 7, " -> None")
FIX = Fix("Add `-> None`", Applicability.SAFE, (ARROW,))
FINDING = Diagnostic("app/x.py", Location(4, 1, 4, 6), "LL702", "missing-return-annotation", "`g` ...", fix=FIX)


def test_edits_apply_by_line_and_character_whatever_the_line_ends() -> None:
    renamed = Edit(1, 4, 1, 5, "h")
    assert apply_edits(SOURCE, [ARROW, renamed]) == "def h(x):\r\n    return x\r\n\ndef g() -> None:\n    pass\n"
    assert apply_edits("é = 1\n", [Edit(1, 1, 1, 1, "x")]) == "éx = 1\n"  # characters, not bytes


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(ValueError):
        apply_edits(SOURCE, [Edit(1, 0, 1, 5, "a"), Edit(1, 3, 1, 6, "b")])
    assert Edit(1, 0, 1, 5, "a").overlaps(Edit(1, 3, 1, 6, "b"))
    assert not Edit(1, 0, 1, 3, "a").overlaps(Edit(1, 3, 1, 6, "b"))  # touching is fine
    assert Edit(2, 0, 2, 0, "a").overlaps(Edit(2, 0, 2, 0, "b"))  # two insertions at one point: order unknown


def test_line_index_round_trips_offsets() -> None:
    index = LineIndex(SOURCE)
    for offset in range(len(SOURCE)):
        assert index.offset(*index.position(offset)) == offset


@pytest.mark.parametrize(("applicability", "safe_run", "unsafe_run"), [
    (Applicability.SAFE, True, True), (Applicability.UNSAFE, False, True),
    (Applicability.DISPLAY_ONLY, False, False)])
def test_applicability_decides_which_run_applies_a_fix(applicability: Applicability, safe_run: bool,
                                                       unsafe_run: bool) -> None:
    fix = replace(FIX, applicability=applicability)
    assert (fix.applies(unsafe=False), fix.applies(unsafe=True)) == (safe_run, unsafe_run)


def test_json_carries_the_fix_as_ruff_does() -> None:
    (item,) = json.loads(JsonReporter().render(Report([FINDING, replace(FINDING, fix=None)][:1], 1, Path("."))))
    assert item["fix"] == {"applicability": "safe", "message": "Add `-> None`", "edits": [
        {"content": " -> None", "location": {"row": 4, "column": 8}, "end_location": {"row": 4, "column": 8}}]}


def test_sarif_carries_the_fix_as_replacements(tmp_path: Path) -> None:
    document = json.loads(SarifReporter().render(Report([FINDING, replace(FINDING, fix=None)], 1, tmp_path)))
    jsonschema.validate(document, schema())
    with_fix, without = document["runs"][0]["results"]
    (fix,) = with_fix["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "app/x.py", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [{"deletedRegion": {"startLine": 4, "startColumn": 8, "endLine": 4,
                                                         "endColumn": 8}, "insertedContent": {"text": " -> None"}}]
    assert fix["properties"] == {"applicability": "safe"} and "fixes" not in without
