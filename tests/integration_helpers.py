"""Run layerlint's front ends (CLI, flake8, pylint) as their users do: the venv's executables, a
copy of the integration fixture, and findings reduced to (path, line, code)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
CATALOG = Path(__file__).parent / "fixtures" / "integrations" / "catalog"
EXPECTED = {
    ("app/api/routers/drafts.py", 3, "LL207"),
    ("app/api/routers/products.py", 3, "LL101"),
    ("app/api/routers/products.py", 10, "LL201"),
    ("app/api/routers/search.py", 3, "LL102"),
    ("app/domain/products/audit_repository.py", 1, "LL103"),
}
Finding = tuple[str, int, str]
_FLAKE8_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):\d+: (?P<code>LL\d+) ")
_PYLINT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):\d+: [EW]\d+: (?P<code>LL\d+) ")


def copy_catalog(destination: Path) -> Path:
    root = destination / "catalog"
    shutil.copytree(CATALOG, root, ignore=shutil.ignore_patterns(".layerlint_cache", "__pycache__"))
    return root


def run(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=root, input=stdin.decode() if stdin else None,
                          capture_output=True, text=True, timeout=120)


def parse(output: str, pattern: re.Pattern[str]) -> set[Finding]:
    found = set()
    for line in output.splitlines():
        match = pattern.match(line)
        if match:
            found.add((match["path"].removeprefix("./"), int(match["line"]), match["code"]))
    return found


def cli_findings(root: Path, *paths: str) -> set[Finding]:
    completed = run(root, "layerlint", "check", "--format", "json", *paths)
    return {(d["path"], d["line"], d["code"]) for d in json.loads(completed.stdout)}


def flake8_findings(root: Path, *args: str, stdin: bytes | None = None) -> set[Finding]:
    completed = run(root, "flake8", "--select", "LL", *args, stdin=stdin)
    assert completed.returncode in (0, 1), completed.stderr
    return parse(completed.stdout, _FLAKE8_LINE)


def pylint_findings(root: Path, *args: str, stdin: bytes | None = None) -> set[Finding]:
    completed = run(root, "pylint", "--load-plugins=layerlint.pylint_plugin", "--disable=all",
                    "--enable=layerlint", "--score=n", *args, stdin=stdin)
    assert "Traceback" not in completed.stderr + completed.stdout, completed.stderr + completed.stdout
    return parse(completed.stdout, _PYLINT_LINE)
