"""Severities: each rule's default in its declaration, `[tool.layerlint.severity]` to change them,
and each format's word for them (JSON severity, SARIF level, GitHub command, pylint message type)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import FIXTURES
from integration_helpers import run as run_tool
from layerlint.cli import main
from layerlint.core.diagnostic import Severity
from layerlint.integrations.pylint import message_id
from layerlint.rules import RULES, RULES_BY_CODE

ANNOTATIONS = FIXTURES / "ll701" / "missing_annotations"  # LL701 and LL702 findings
DIRECT = FIXTURES / "ll101" / "direct_imports"  # LL101 findings


def project(tmp_path: Path, source: Path, table: str = "") -> Path:
    copy = tmp_path / "p"
    shutil.copytree(source, copy)
    if table:
        pyproject = copy / "pyproject.toml"
        pyproject.write_text(pyproject.read_text() + "\n" + table + "\n")
    return copy


def check(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--no-cache", *args, str(root)])
    return result.exit_code, result.output


def severities(root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for item in json.loads(check(root, "--format", "json")[1]):
        found.setdefault(item["code"], set()).add(item["severity"])
    return found


def test_annotations_are_conventions_and_layers_errors() -> None:
    assert RULES_BY_CODE["LL701"].severity is RULES_BY_CODE["LL702"].severity is Severity.CONVENTION
    assert RULES_BY_CODE["LL101"].severity is Severity.ERROR
    assert RULES_BY_CODE["LL502"].severity is Severity.WARNING
    assert severities(ANNOTATIONS) == {"LL701": {"convention"}, "LL702": {"convention"}}
    assert severities(DIRECT) == {"LL101": {"error"}}


def test_each_format_says_the_severity_in_its_own_words() -> None:
    sarif = json.loads(check(ANNOTATIONS, "--format", "sarif")[1])["runs"][0]
    assert {r["level"] for r in sarif["results"]} == {"note"}
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in sarif["tool"]["driver"]["rules"]}
    assert (levels["LL701"], levels["LL201"], levels["LL101"]) == ("note", "warning", "error")
    github = check(ANNOTATIONS, "--format", "github")[1].splitlines()
    assert github and all(line.startswith("::notice ") for line in github)
    assert message_id("LL701", Severity.CONVENTION) == "C6871"


def test_pylint_counts_annotations_as_conventions(tmp_path: Path) -> None:
    root = project(tmp_path, ANNOTATIONS)
    output = run_tool(root, "pylint", "--load-plugins=layerlint.pylint_plugin", "--disable=all",
                      "--enable=layerlint", "--score=n", "app").stdout
    types = {line.split(": ")[1].split(":")[0] for line in output.splitlines() if ": C68" in line or ": E68" in line}
    assert types == {"C6871", "C6872"}, output


def test_the_config_changes_severities_by_code_and_prefix(tmp_path: Path) -> None:
    root = project(tmp_path, ANNOTATIONS, '[tool.layerlint.severity]\nLL7 = "warning"\nLL702 = "error"')
    assert severities(root) == {"LL701": {"warning"}, "LL702": {"error"}}
    github = check(root, "--format", "github")[1]
    assert "::warning " in github and "::error " in github
    sarif = json.loads(check(root, "--format", "sarif")[1])["runs"][0]["results"]
    assert {r["ruleId"]: r["level"] for r in sarif} == {"LL701": "warning", "LL702": "error"}


def test_a_changed_severity_is_shown_by_a_run_answered_from_the_cache(tmp_path: Path) -> None:
    root = project(tmp_path, DIRECT)
    CliRunner().invoke(main, ["check", str(root)])
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.layerlint.severity]\nLL101 = "warning"\n')
    output = CliRunner().invoke(main, ["check", "--format", "json", str(root)]).output
    assert {item["severity"] for item in json.loads(output)} == {"warning"}


@pytest.mark.parametrize(("table", "key", "says"), [
    ('[tool.layerlint.severity]\nLL701 = "info"', "severity.LL701", "`info` is not a severity"),
    ('[tool.layerlint.severity]\nE501 = "warning"', "severity.E501", "not a rule code"),
    ('[tool.layerlint]\nseverity = ["LL701"]', "severity", "a table of strings"),
    ('[tool.layerlint.severity]\nLL701 = 1', "severity.LL701", "must be a string"),
])
def test_a_bad_severity_is_a_config_error(tmp_path: Path, table: str, key: str, says: str) -> None:
    code, output = check(project(tmp_path, DIRECT, table))
    assert code == 2 and f"`{key}`" in output and says in output, output


def test_every_rule_that_is_not_an_error_says_why() -> None:
    for rule in RULES:
        section = rule.docs.partition("## Severity\n")[2]
        if rule.severity is Severity.ERROR:
            assert not section or section.startswith("Error"), rule.code
        else:
            assert section.startswith(rule.severity.value.capitalize() + ":"), rule.code
