"""The formats other tools read (issue 14): json-lines, pylint, GitLab Code Quality and JUnit XML,
each checked by its consumer's rules (junitparser reads the JUnit XML as CI systems do; the GitLab
report against the fields GitLab documents), with paths that open from where they are read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml

from integration_helpers import EXPECTED, Finding, copy_catalog, run
from test_project_root import in_backend, monorepo

# GitLab's "Code Quality report format" (docs.gitlab.com/ci/testing/code_quality, "Implement a
# custom tool"): the fields GitLab requires of each issue, and its severity scale.
GITLAB_ISSUE = {
    "type": "object",
    "required": ["description", "check_name", "fingerprint", "severity", "location"],
    "properties": {
        "description": {"type": "string", "minLength": 1},
        "check_name": {"type": "string", "minLength": 1},
        "fingerprint": {"type": "string", "minLength": 1},
        "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
        "location": {
            "type": "object",
            "required": ["path", "lines"],
            "properties": {
                "path": {"type": "string", "minLength": 1},
                "lines": {"type": "object", "required": ["begin"],
                          "properties": {"begin": {"type": "integer", "minimum": 1}}},
            },
        },
    },
}
GITLAB_REPORT = {"type": "array", "items": GITLAB_ISSUE}
PYLINT_LINE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+): \[(?P<code>LL\d{3})\] \S")


def output(root: Path, output_format: str, *args: str) -> str:
    completed = run(root, "layerlint", "check", "--no-cache", "--format", output_format, *args)
    assert completed.returncode == 1, completed.stderr
    return completed.stdout


def json_list(root: Path) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(output(root, "json"))
    return found


def test_json_lines_holds_the_json_objects_one_per_line(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    lines = output(root, "json-lines").splitlines()
    assert [json.loads(line) for line in lines] == json_list(root)
    assert len(lines) == len(EXPECTED)


def test_pylint_lines_name_path_line_and_code(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    lines = output(root, "pylint").splitlines()
    matches = [PYLINT_LINE.match(line) for line in lines]
    assert all(matches), lines
    assert {(m["path"], int(m["line"]), m["code"]) for m in matches if m} == EXPECTED


def test_junit_is_read_by_a_junit_consumer_as_one_failing_case_per_finding(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    report = tmp_path / "report.xml"
    report.write_text(output(root, "junit"))
    found: set[Finding] = set()
    for suite in JUnitXml.fromfile(str(report)):
        assert suite.failures == suite.tests and (root / suite.name).is_file()
        for case in suite:
            (failure,) = case.result
            assert isinstance(failure, Failure) and failure.message
            found.add((case.classname, int(case._elem.get("line")), case.name.rpartition(".")[2]))
    assert found == EXPECTED


def test_junit_without_findings_is_one_passing_case(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    completed = run(root, "layerlint", "check", "--no-cache", "--format", "junit", "--select", "LL5")
    report = tmp_path / "report.xml"
    report.write_text(completed.stdout)
    xml = JUnitXml.fromfile(str(report))
    assert (completed.returncode, xml.tests, xml.failures) == (0, 1, 0)


@pytest.mark.parametrize("cwd", [".", "backend"])
def test_gitlab_report_fits_gitlabs_fields_and_names_files_from_the_repository_root(tmp_path: Path,
                                                                                    cwd: str) -> None:
    root = monorepo(tmp_path, "backend")
    issues = json.loads(output(root / cwd, "gitlab"))
    jsonschema.validate(issues, GITLAB_REPORT)
    found = {(i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"]) for i in issues}
    assert found == in_backend(EXPECTED, "backend/")
    assert all((root / path).is_file() for path, _, _ in found)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert severities["LL101"] == "major" and severities["LL201"] == "minor"


def test_a_gitlab_fingerprint_survives_lines_added_above_the_finding(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    before = {i["check_name"]: i["fingerprint"] for i in json.loads(output(root, "gitlab"))}
    router = root / "app" / "api" / "routers" / "products.py"
    router.write_text('"""Products."""\n\n' + router.read_text())
    after = {i["check_name"]: i["fingerprint"] for i in json.loads(output(root, "gitlab"))}
    assert after == before


def test_rule_all_shows_every_rule_and_json_gives_objects(tmp_path: Path) -> None:
    from layerlint.rules import RULES

    text = run(tmp_path, "layerlint", "rule", "--all").stdout
    assert [line.split()[1] for line in text.splitlines() if line.startswith("# LL")] == [r.code for r in RULES]
    objects = json.loads(run(tmp_path, "layerlint", "rule", "--all", "--format", "json").stdout)
    assert [o["code"] for o in objects] == [r.code for r in RULES] and all(o["docs"] for o in objects)
    one = json.loads(run(tmp_path, "layerlint", "rule", "router-imports-repository", "--format", "json").stdout)
    assert (one["code"], one["severity"]) == ("LL101", "error")
    assert run(tmp_path, "layerlint", "rule").returncode == 2
    assert run(tmp_path, "layerlint", "rule", "LL101", "--all").returncode == 2


def test_roles_and_routes_print_json_for_the_path_given(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    roles = json.loads(run(root, "layerlint", "roles", "app/api", "--format", "json").stdout)
    assert roles and all(r["module"].startswith("app.api") for r in roles)
    assert {r["module"]: r["role"] for r in roles}["app.api.routers.products"] == "router"
    assert {"module", "role", "reason", "program"} == set(roles[0]) and not any(r["program"] for r in roles)
    routes = json.loads(run(root, "layerlint", "routes", "--format", "json").stdout)
    assert {"method", "path", "handler", "session", "response_model"} == set(routes[0])
    assert any(r["handler"] == "app.api.routers.products:get_product" for r in routes)
