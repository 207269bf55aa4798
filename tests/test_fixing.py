"""Applying fixes safely: atomic writes, encodings kept, broken results and self-defeating fixes
refused, read-only files reported; and the CLI's --fix, --diff, --fix-only, --unsafe-fixes and
--add-noqa."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import NO_CACHE
from layerlint import fixers, fixing
from layerlint.cli import main
from layerlint.core.config import load_config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Applicability, Edit, Fix
from layerlint.fixers.base import FixSite

MODULE = "app/util/helpers.py"
SOURCE = "def log(message: str):\n    print(message)\n\n\ndef size(x: str):\n    return len(x)\n"
FIXED = SOURCE.replace("str):\n    print", "str) -> None:\n    print")


def project(tmp_path: Path, source: str | bytes = SOURCE) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    (tmp_path / "app" / "util").mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "util" / "__init__.py").write_text("")
    target = tmp_path / MODULE
    target.write_bytes(source if isinstance(source, bytes) else source.encode())
    return tmp_path


def fix(root: Path, unsafe: bool = False) -> fixing.FixOutcome:
    return fixing.fix_project(load_config(root).with_selection(("LL702", "LL201"), ()), unsafe=unsafe,
                              options=NO_CACHE)


def test_a_fix_is_written_and_counted(tmp_path: Path) -> None:
    outcome = fix(project(tmp_path))
    assert (tmp_path / MODULE).read_text() == FIXED
    assert outcome.fixed == {"LL702": 1} and [d.line for d in outcome.remaining] == [5]
    assert outcome.written == [MODULE] and not outcome.problems


def test_encoding_bom_and_line_endings_are_kept(tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\r\ndef log(message='caf\xe9'):\r\n    print(message)\r\n"
    project(tmp_path, b"\xef\xbb\xbf" + source.replace("latin-1", "utf-8").encode("utf-8"))
    fix(tmp_path)
    assert (tmp_path / MODULE).read_bytes() == b"\xef\xbb\xbf" + source.replace("latin-1", "utf-8").replace(
        "):\r\n", ") -> None:\r\n").encode("utf-8")
    (tmp_path / "latin").mkdir()
    project(tmp_path / "latin", source.encode("latin-1"))
    fix(tmp_path / "latin")
    assert (tmp_path / "latin" / MODULE).read_bytes() == source.replace("):\r\n", ") -> None:\r\n").encode("latin-1")


def test_an_interrupted_write_leaves_the_original_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path)
    os.chmod(tmp_path / MODULE, 0o640)

    def fail(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    outcome = fix(tmp_path)
    assert (tmp_path / MODULE).read_text() == SOURCE
    assert outcome.written == [] and "No space left on device" in outcome.problems[0]
    assert sorted(p.name for p in (tmp_path / "app" / "util").iterdir()) == ["__init__.py", "helpers.py"]
    monkeypatch.undo()
    fix(tmp_path)
    assert stat.S_IMODE(os.stat(tmp_path / MODULE).st_mode) == 0o640  # permissions kept by the rename


def test_a_read_only_file_is_reported_not_written(tmp_path: Path) -> None:
    project(tmp_path)
    os.chmod(tmp_path / MODULE, 0o444)
    outcome = fix(tmp_path)
    assert (tmp_path / MODULE).read_text() == SOURCE
    assert outcome.problems == [f"{MODULE}: read-only; left unchanged"]


def _broken(site: FixSite, diagnostic: Diagnostic) -> Fix:
    return Fix("break it", Applicability.SAFE, (Edit(diagnostic.line, 0, diagnostic.line, 0, "def ("),))


def _spawning(site: FixSite, diagnostic: Diagnostic) -> Fix:
    """Fixes its finding and makes another of the same rule."""
    line = site.text.splitlines()[diagnostic.line - 1]
    return Fix("spawn", Applicability.SAFE, (Edit(diagnostic.line, 0, diagnostic.line, len(line),
                                                  line.replace("):", ") -> None:") + "\n    def spawned(): pass"),))


@pytest.mark.parametrize(("fixer", "problem"), [
    (_broken, f"{MODULE}: the fixes of LL702 would not parse; left unchanged"),
    (_spawning, f"{MODULE}: a fix made a new LL702 finding; the file's fixes were taken back"),
])
def test_a_fix_that_breaks_the_file_or_defeats_itself_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixer: object, problem: str) -> None:
    project(tmp_path)
    monkeypatch.setattr(fixers, "fixer_for", lambda code: fixer)
    monkeypatch.setattr(fixing, "fixer_for", lambda code: fixer)
    outcome = fix(tmp_path)
    assert (tmp_path / MODULE).read_text() == SOURCE
    assert outcome.problems == [problem] and outcome.fixed_count == 0


def invoke(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", "--no-cache", "--select", "LL702,LL201", *args, str(root)])
    return result.exit_code, result.stdout, result.stderr


def test_diff_prints_and_writes_nothing(tmp_path: Path) -> None:
    code, out, err = invoke(project(tmp_path), "--diff")
    assert code == 1 and (tmp_path / MODULE).read_text() == SOURCE
    assert f"--- {MODULE}\n+++ {MODULE}\n" in out and "+def log(message: str) -> None:\n" in out
    assert err == "Would fix 1 finding in 1 file.\n"
    (tmp_path / MODULE).write_text(FIXED)
    assert invoke(tmp_path, "--diff")[0] == 0


def test_fix_reports_what_remains_and_the_hidden_unsafe_fixes(tmp_path: Path) -> None:
    route = "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get('/')\ndef ping() -> str:\n    return 'x'\n"
    project(tmp_path)
    (tmp_path / "app" / "routes.py").write_text(route)
    code, out, err = invoke(tmp_path, "--fix")
    assert code == 1 and (tmp_path / MODULE).read_text() == FIXED
    assert "app/util/helpers.py:5:1: LL702" in out and "LL201" in out
    assert err == ("Found 3 findings (1 fixed, 2 remaining).\n"
                   "1 hidden fix can be enabled with the `--unsafe-fixes` option.\n")
    code, out, err = invoke(tmp_path, "--fix-only", "--unsafe-fixes")
    assert code == 0 and out == "" and err == "Found 2 findings (1 fixed, 1 remaining).\n"
    assert "async def ping" in (tmp_path / "app" / "routes.py").read_text()


def test_add_noqa_silences_every_finding_and_keeps_other_codes(tmp_path: Path) -> None:
    project(tmp_path, SOURCE.replace("def size(x: str):", "def size(x: str):  # noqa: E501"))
    code, out, _ = invoke(tmp_path, "--add-noqa")
    assert code == 0 and out == "Added 2 noqa directives to 1 file.\n"
    text = (tmp_path / MODULE).read_text()
    assert "def log(message: str):  # noqa: LL702\n" in text and "def size(x: str):  # noqa: E501, LL702\n" in text
    assert invoke(tmp_path)[0] == 0


def test_a_plain_check_loads_no_fixer_and_no_libcst(tmp_path: Path) -> None:
    """Fixes are a stage of their own: text output, cold or from the cache, never pays for them
    (JSON and SARIF do, for the files with fixable findings)."""
    import subprocess
    import sys

    project(tmp_path)
    (tmp_path / ".git").mkdir()  # a marked root: the second run is answered from the cache
    command = [sys.executable, "-X", "importtime", "-m", "layerlint", "check", "--format"]
    loaded = {}
    for output_format in ("text", "text", "json"):
        run = subprocess.run([*command, output_format, str(tmp_path)], capture_output=True, text=True)
        names = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
        loaded.setdefault(output_format, []).append({n for n in names if n.startswith(("libcst", "layerlint.fix"))})
    assert loaded["text"] == [set(), set()]
    assert {"layerlint.fixing", "layerlint.fixers.base", "libcst"} <= loaded["json"][0]


def test_fix_follows_exit_zero_quiet_and_silent(tmp_path: Path) -> None:
    root = project(tmp_path)
    code, out, err = invoke(root, "--fix", "--quiet", "--exit-zero")
    assert code == 0 and "LL702" in out and "Found" not in out + err  # findings alone, no summary
    (root / MODULE).write_text(SOURCE)
    code, out, err = invoke(root, "--fix", "--silent")
    assert code == 1 and out == "" and err == "" and (root / MODULE).read_text() == FIXED


def test_fix_with_stdin_prints_the_fixed_source_and_the_findings_left_on_stderr(tmp_path: Path) -> None:
    """As ruff: `--fix --stdin-filename FILE -` fixes standard input, writes it to stdout and the
    findings left to stderr; the file on disk is not touched, and `--diff` prints the diff."""
    root = project(tmp_path, "x = 1\n")
    edited = SOURCE.replace("\n", "\r\n")  # an editor's unsaved buffer, in its own line endings
    command = ["check", "--no-cache", "--select", "LL702", "--stdin-filename", str(root / MODULE)]
    result = CliRunner().invoke(main, [*command, "--fix", "-"], input=edited.encode())
    assert result.exit_code == 1 and result.stdout_bytes == FIXED.replace("\n", "\r\n").encode()
    assert f"{MODULE}:5:1: LL702" in result.stderr and "Found 2 findings (1 fixed, 1 remaining)." in result.stderr
    assert (root / MODULE).read_text() == "x = 1\n"

    result = CliRunner().invoke(main, [*command, "--diff"], input=edited.encode())
    assert result.exit_code == 1 and b"+def log(message: str) -> None:\r\n" in result.stdout_bytes
    assert result.stderr == "Would fix 1 finding in 1 file.\n" and (root / MODULE).read_text() == "x = 1\n"

    result = CliRunner().invoke(main, [*command, "--fix-only"], input=FIXED.encode())
    assert result.exit_code == 0 and result.stdout == FIXED


def test_fix_with_a_baseline_fixes_only_the_findings_it_does_not_record(tmp_path: Path) -> None:
    recorded = "def log(message: str):\n    print(message)\n"
    root = project(tmp_path, recorded)
    baseline = root / "baseline.json"
    assert CliRunner().invoke(main, ["baseline", str(baseline), str(root)]).exit_code == 0
    new = "\n\ndef warn(message: str):\n    print(message)\n"
    (root / MODULE).write_text(recorded + new)

    result = CliRunner().invoke(main, ["check", "--no-cache", "--select", "LL702", "--fix", "--baseline",
                                       str(baseline), str(root)])
    assert result.exit_code == 0, result.output
    assert (root / MODULE).read_text() == recorded + new.replace("str):", "str) -> None:")
    assert result.stderr.endswith("Found 1 finding (1 fixed, 0 remaining).\n")


def test_later_passes_parse_only_the_files_the_last_pass_changed(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The first pass checks the project as `check` does; the passes after it parse again only
    what a fix changed (here one file, once per text it had), not the whole project."""
    from layerlint import live

    root = project(tmp_path)
    for name in ("a", "b", "c"):
        (root / "app" / "util" / f"{name}.py").write_text("def value() -> int:\n    return 1\n")
    parsed: list[str] = []
    real = live.facts_from_bytes
    monkeypatch.setattr(live, "facts_from_bytes", lambda file, data: parsed.append(file.relative) or real(file, data))
    outcome = fix(root)
    assert outcome.fixed_count == 1 and (root / MODULE).read_text() == FIXED
    assert parsed == [MODULE]
