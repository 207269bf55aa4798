"""flake8 and pylint report exactly the CLI's findings, per file and for unsaved buffers (stdin)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from integration_helpers import (
    EXPECTED, cli_findings, copy_catalog, flake8_findings, pylint_findings, run,
)
from layerlint.core.config import ConfigError
from layerlint.core.diagnostic import Severity
from layerlint.integrations.pylint import CHECKER_ID, MESSAGE_NUMBERS, LayerlintChecker, message_id
from layerlint.rules import RULES

DRAFTS = "app/api/routers/drafts.py"
PRODUCTS = "app/api/routers/products.py"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_catalog(tmp_path_factory.mktemp("plugins"))


def test_flake8_whole_project_findings_land_in_their_files(catalog: Path) -> None:
    assert flake8_findings(catalog, "app") == EXPECTED
    assert flake8_findings(catalog, "-j", "2", "app") == EXPECTED
    assert flake8_findings(catalog, "app/api/routers/search.py") == {f for f in EXPECTED if "search" in f[0]}


def test_flake8_stdin_checks_the_buffer_in_place_of_the_file(catalog: Path) -> None:
    buffer = (catalog / PRODUCTS).read_bytes()  # drafts.py's unsaved buffer now holds the products code
    found = flake8_findings(catalog, "--stdin-display-name", DRAFTS, "-", stdin=buffer)
    assert found == {(DRAFTS, 3, "LL101"), (DRAFTS, 6, "LL207"), (DRAFTS, 10, "LL201")}


def test_flake8_noqa_and_extend_ignore_apply(catalog: Path) -> None:
    text = (catalog / PRODUCTS).read_text().replace("ProductRepository\n", "ProductRepository  # noqa: LL101\n", 1)
    found = flake8_findings(catalog, "--stdin-display-name", PRODUCTS, "-", stdin=text.encode())
    assert found == {(PRODUCTS, 10, "LL201")}
    assert flake8_findings(catalog, "--extend-ignore", "LL2", PRODUCTS) == {(PRODUCTS, 3, "LL101")}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_pylint_reports_every_finding_once(catalog: Path, jobs: str) -> None:
    assert pylint_findings(catalog, "-j", jobs, "app") == EXPECTED


def test_pylint_from_stdin(catalog: Path) -> None:
    buffer = (catalog / PRODUCTS).read_bytes()
    found = pylint_findings(catalog, "--from-stdin", DRAFTS, stdin=buffer)
    assert found == {(DRAFTS, 3, "LL101"), (DRAFTS, 6, "LL207"), (DRAFTS, 10, "LL201")}


def test_pylint_message_ids_come_from_the_table() -> None:
    assert sorted(MESSAGE_NUMBERS) == sorted(r.code for r in RULES)  # one number per registered rule, no other
    numbers = list(MESSAGE_NUMBERS.values())
    assert len(set(numbers)) == len(numbers)
    assert all(len(n) == 4 and n.isdigit() and n.startswith(CHECKER_ID) for n in numbers)  # pylint's rules
    ids = [message_id(r.code, r.severity) for r in RULES]
    assert sorted(LayerlintChecker.msgs) == sorted(ids)
    assert [LayerlintChecker.msgs[i][1] for i in ids] == [r.name for r in RULES]
    assert message_id("LL101", Severity.ERROR) == "E6811"
    assert message_id("LL207", Severity.WARNING) == "W6827"
    with pytest.raises(ValueError, match="LL110 has no pylint message id"):
        message_id("LL110", Severity.ERROR)


def test_pylint_message_ids_of_the_first_rules_are_kept() -> None:
    """Users' `--disable=E6811` must keep working: the first rules keep the ids the old formula gave."""
    formula = [code for code in MESSAGE_NUMBERS if code[3] == "0"]  # LLa0c: 68ac, as before the table
    assert {"LL001", "LL101", "LL207", "LL704"} <= set(formula)
    assert all(MESSAGE_NUMBERS[code] == f"68{code[2]}{code[4]}" for code in formula)


def test_cli_flake8_and_pylint_agree(catalog: Path) -> None:
    cli = cli_findings(catalog)
    assert cli == EXPECTED
    assert flake8_findings(catalog, ".") == cli
    assert pylint_findings(catalog, "app") == cli


def test_layerlint_check_does_not_import_plugins(catalog: Path) -> None:
    completed = run(catalog, "python", "-X", "importtime", "-m", "layerlint", "check", "--no-cache", ".")
    imported = {line.split("|")[-1].strip().split(".")[0] for line in completed.stderr.splitlines() if "|" in line}
    assert "layerlint" in imported
    assert not imported & {"flake8", "pylint", "astroid", "importlinter", "grimp"}


def test_ruff_keeps_layerlint_noqa_codes_when_declared_external(tmp_path: Path) -> None:
    """The README's advice: without `lint.external`, RUF100's fix drops unknown codes with unused ones."""
    source = tmp_path / "module.py"
    (tmp_path / "ruff.toml").write_text('[lint]\nselect = ["F", "RUF100"]\n')
    source.write_text("x = 1  # noqa: F401, LL101\n")
    run(tmp_path, "ruff", "check", "--no-cache", "--fix", "module.py")
    assert source.read_text() == "x = 1\n"
    (tmp_path / "ruff.toml").write_text('[lint]\nselect = ["F", "RUF100"]\nexternal = ["LL"]\n')
    source.write_text("x = 1  # noqa: F401, LL101\n")
    run(tmp_path, "ruff", "check", "--no-cache", "--fix", "module.py")
    assert source.read_text() == "x = 1  # noqa: LL101\n"


def test_invalid_configuration_is_reported_not_crashed(tmp_path: Path) -> None:
    """An unknown `[tool.layerlint]` key: flake8 (also with -j, where the error crosses processes)
    reports LL000 on line 1 of each file, pylint its own config-parse-error (F0011)."""
    root = copy_catalog(tmp_path)
    (root / "pyproject.toml").write_text('[project]\nname = "catalog"\n\n[tool.layerlint]\nbogus = 1\n')
    for jobs in ("1", "2"):
        completed = run(root, "flake8", "--select", "LL", "-j", jobs, "app/api/routers")
        lines = completed.stdout.splitlines()
        assert len(lines) == 4 and all(":1:1: LL000 layerlint configuration error: " in line for line in lines)
        assert "`bogus`: unknown key" in lines[0] and "Traceback" not in completed.stderr
    completed = run(root, "pylint", "--load-plugins=layerlint.pylint_plugin", "--score=n", PRODUCTS)
    assert f"{PRODUCTS}:1:0: F0011: error while parsing the configuration: " in completed.stdout
    assert "Traceback" not in completed.stdout + completed.stderr


def test_a_pyproject_nested_too_deeply_is_a_configuration_error_in_flake8(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    (root / "pyproject.toml").write_text(f'[project]\nname = "catalog"\nx = {"[" * 5000}{"]" * 5000}\n')
    completed = run(root, "flake8", "--select", "LL", "app/api/routers")
    lines = completed.stdout.splitlines()
    assert lines and all(":1:1: LL000 layerlint configuration error: " in line for line in lines)
    assert "nested too deeply" in lines[0] and "Traceback" not in completed.stderr


def test_configuration_errors_survive_pickling() -> None:
    error = ConfigError(Path("pyproject.toml"), "roles.router", "matches no module")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.file, copy.key, copy.message, str(copy)) == (error.file, error.key, error.message, str(error))


def test_pylint_disable_by_symbolic_name(catalog: Path) -> None:
    text = (catalog / PRODUCTS).read_text().replace(
        "ProductRepository\n", "ProductRepository  # pylint: disable=router-imports-repository\n", 1)
    found = pylint_findings(catalog, "--from-stdin", PRODUCTS, stdin=text.encode())
    assert found == {(PRODUCTS, 10, "LL201")}


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_plugin_run_leaves_its_objects_to_the_next_run_not_to_the_host(tmp_path: Path) -> None:
    # What a host holds after a run is frozen, so a one-shot flake8 never walks it; the next run
    # collects it, so a host that asks again holds at most one run's objects.
    import gc
    import weakref

    from layerlint.integrations.findings import LintRun

    root = copy_catalog(tmp_path)
    module = next(root.rglob("*.py"))
    gc.disable()  # no collection of its own may reach the garbage before the run ends
    garbage = _Cycle()
    alive = weakref.ref(garbage)
    del garbage
    try:
        LintRun().findings_for(str(module))
        gc.collect()
        assert alive() is not None, "the run's leftovers were not frozen"
        LintRun().findings_for(str(module))
        assert alive() is None, "the next run did not collect the last run's leftovers"
    finally:
        gc.unfreeze()
        gc.enable()


_CACHED_ANSWER_IMPORTS = """
import json, sys
from pathlib import Path
from layerlint import engine
from layerlint.core.config import load_config
found = engine.findings_by_path(load_config(Path(sys.argv[1])))(sys.argv[2])
print(json.dumps([len(found), sorted(name for name in sys.modules if name.startswith("layerlint"))]))
"""


def test_a_cached_answer_does_not_import_the_facts_or_the_per_module_store(tmp_path: Path) -> None:
    """What an editor plugin asks on every save, when nothing changed: answered from the stored
    findings without the modules that read facts (about 20 ms of imports)."""
    import json
    import subprocess
    import sys

    root = copy_catalog(tmp_path)
    argv = [sys.executable, "-c", _CACHED_ANSWER_IMPORTS, str(root), DRAFTS]
    subprocess.run(argv, check=True, capture_output=True)  # fills the cache
    count, loaded = json.loads(subprocess.run(argv, check=True, capture_output=True, text=True).stdout)
    assert count == len({f for f in EXPECTED if f[0] == DRAFTS})
    assert not {"layerlint.cache.module_findings", "layerlint.project.reading.facts", "layerlint.rules"} & set(loaded)


def test_a_plugin_run_checks_its_first_file_alone_then_the_whole_project(tmp_path: Path) -> None:
    """After an edit, the first file a plugin run asks about is checked alone (an editor lints the
    file saved); the second makes the run check the whole project once. Both as a cold run finds."""
    from harness import NO_CACHE

    from layerlint import engine
    from layerlint.core.config import load_config
    from layerlint.integrations.findings import LintRun

    root = copy_catalog(tmp_path)
    LintRun().findings_for(str(root / DRAFTS))  # fills the cache
    drafts = root / DRAFTS
    drafts.write_text(drafts.read_text() + "\n\ndef added_after_the_cache(value):\n    return value\n")
    cold = engine.check(load_config(root), options=NO_CACHE).diagnostics
    run = LintRun()
    for number, path in enumerate((DRAFTS, PRODUCTS, DRAFTS)):
        found = run.findings_for(str(root / path))
        assert sorted(found, key=str) == sorted((d for d in cold if d.path == path), key=str), path
        assert len(run._projects) == min(number, 1)  # the whole project: from the second file on, once
