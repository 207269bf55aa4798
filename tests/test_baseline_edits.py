"""The baseline survives ordinary edits: each kind of edit that leaves a finding as it was keeps
its entry (no new finding, no stale entry), a new finding still fails, and version 1 files load."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from integration_helpers import copy_catalog
from layerlint import baseline
from layerlint.cli import main
from layerlint.core.diagnostic import Diagnostic, Location

PRODUCTS = "app/api/routers/products.py"
SEARCH = "app/api/routers/search.py"
IMPORT = "from app.domain.products.repository import ProductRepository\n"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = copy_catalog(tmp_path)
    assert invoke("baseline", str(root / "baseline.json"), str(root))[0] == 0
    return root


def check(root: Path) -> tuple[int, str, str]:
    return invoke("check", "--baseline", str(root / "baseline.json"), str(root))


def edit(root: Path, path: str, change: Callable[[str], str]) -> None:
    file = root / path
    before = file.read_text()
    file.write_text(change(before))
    assert file.read_text() != before


def rename(root: Path, old: str, new: str) -> None:
    """Rename a router module, and its import in main.py, as a refactoring tool would."""
    (root / old).rename(root / new)
    old_name, new_name = Path(old).stem, Path(new).stem
    edit(root, "app/main.py", lambda text: re.sub(rf"\b{old_name}\b", new_name, text))


EDITS: dict[str, Callable[[Path], None]] = {
    # LL102's import of a helper module: the statement grows, the finding is the same.
    "a name added to a flagged import": lambda root: edit(
        root, SEARCH, lambda text: text.replace("import find_product", "import find_product, other_helper")),
    "a name added to a router's flagged repository import (LL101)": lambda root: (
        edit(root, "app/domain/products/repository.py", lambda text: text + "\n\nclass PageRepository:\n    pass\n"),
        edit(root, PRODUCTS, lambda text: text.replace("import ProductRepository\n",
                                                       "import ProductRepository, PageRepository\n"))),
    "a flagged import reflowed over several lines": lambda root: edit(
        root, PRODUCTS, lambda text: text.replace(IMPORT, IMPORT.replace("import ", "import (\n    ", 1)
                                                   .replace("Repository\n", "Repository,\n)\n"))),
    "a flagged handler's signature reflowed": lambda root: edit(
        root, PRODUCTS, lambda text: text.replace("def get_product(product_id: str) -> str:",
                                                  "def get_product(\n    product_id: str,\n) -> str:")),
    "a file renamed": lambda root: rename(root, SEARCH, "app/api/routers/find.py"),
    "two files renamed": lambda root: (rename(root, SEARCH, "app/api/routers/find.py"),
                                       rename(root, PRODUCTS, "app/api/routers/catalog.py")),
    "a file renamed and edited": lambda root: (
        edit(root, PRODUCTS, lambda text: "# Products.\n\n" + text.replace("def get_product(", "def get_product(  ")),
        rename(root, PRODUCTS, "app/api/routers/catalog.py")),
    "lines added above a line an import chain cites (in another file)": lambda root: edit(
        root, "app/utils/lookup.py", lambda text: '"""Lookups."""\n\nimport logging\n\n' + text),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_an_edit_that_keeps_a_finding_keeps_its_entry(catalog: Path, name: str) -> None:
    EDITS[name](catalog)
    code, output, errors = check(catalog)
    assert code == 0 and "5 recorded findings ignored, 0 new" in errors, output + errors
    assert "no finding any more" not in errors


def test_a_new_file_with_the_findings_of_a_file_still_there_is_new(catalog: Path) -> None:
    """A copy is not a rename: the old file still has its findings, the copy's are new."""
    (catalog / "app/api/routers/copy.py").write_text((catalog / SEARCH).read_text())
    code, output, errors = check(catalog)
    assert code == 1 and "copy.py:3:1: LL102" in output and "copy.py:5:1: LL207" in output and "2 new" in errors


def test_a_renamed_file_with_a_new_finding_fails_on_that_one(catalog: Path) -> None:
    rename(catalog, PRODUCTS, "app/api/routers/catalog.py")
    edit(catalog, "app/api/routers/catalog.py",
         lambda text: text + "\n\n@router.get('/p')\ndef ping() -> str:\n    return 'x'\n")
    code, output, errors = check(catalog)
    assert code == 1 and "5 recorded findings ignored, 1 new" in errors and "`ping`" in output


def test_prune_rewrites_renamed_entries_at_their_new_path(catalog: Path) -> None:
    rename(catalog, SEARCH, "app/api/routers/find.py")
    assert invoke("baseline", "--prune", str(catalog / "baseline.json"), str(catalog))[0] == 0
    paths = {row["path"] for row in json.loads((catalog / "baseline.json").read_text())["entries"]}
    assert "app/api/routers/find.py" in paths and SEARCH not in paths and len(paths) == 4
    assert check(catalog)[0] == 0


def test_subject_leaves_out_cited_lines_and_the_own_module() -> None:
    message = ("router reaches repository `app.repo` through app.api.routers.search:3 -> app.utils.lookup:12 "
               "-> app.repo; `x` (line 73), on line 5")
    finding = Diagnostic(SEARCH, Location(3, 1, 3, 2), "LL102", "n", message)
    assert baseline.subject_of(finding) == ("router reaches repository `app.repo` through <module> -> "
                                            "app.utils.lookup -> app.repo; `x` (line #), on line #")


def _version_1_file(root: Path) -> Path:
    """The baseline the previous layerlint wrote for the catalog: entries keyed on the line's text."""
    result = invoke("check", "--format", "json", str(root))[1]
    rows = []
    for item in json.loads(result):
        line = (root / item["path"]).read_text().splitlines()[item["line"] - 1]
        rows.append({"code": item["code"], "path": item["path"], "text": " ".join(line.split()), "occurrence": 0})
    file = root / "v1.json"
    file.write_text(json.dumps({"format": "layerlint-baseline", "version": 1, "entries": rows}))
    return file


def test_a_version_1_baseline_still_matches_and_prune_rewrites_it(catalog: Path) -> None:
    old = _version_1_file(catalog)
    code, _, errors = invoke("check", "--baseline", str(old), str(catalog))
    assert code == 0 and "5 recorded findings ignored, 0 new" in errors
    code, output, _ = invoke("baseline", "--prune", str(old), str(catalog))
    assert code == 0 and "5 remain" in output
    assert old.read_text() == (catalog / "baseline.json").read_text()  # what `layerlint baseline` writes


def test_a_version_1_baseline_is_not_half_rewritten(catalog: Path) -> None:
    old = _version_1_file(catalog)
    code, _, errors = invoke("baseline", "--prune", str(old), str(catalog / "app" / "api"))
    assert code == 2 and "without paths" in errors and '"version": 1' in old.read_text()


def test_an_unknown_version_says_how_to_regenerate(catalog: Path) -> None:
    file = catalog / "future.json"
    file.write_text(json.dumps({"format": "layerlint-baseline", "version": 3, "entries": []}))
    code, _, errors = invoke("check", "--baseline", str(file), str(catalog))
    assert code == 2 and f"`layerlint baseline {file}` writes one" in errors
