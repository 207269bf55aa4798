"""layerlint never imports or executes the code it checks, through any front end.

The fixture's modules, `setup.py`, `conftest.py` and `__init__.py` files each leave a sentinel
(`<file>.ran`), try a connection and exit if imported. Beside them sit files shadowing every
module layerlint itself may import (the standard library and everything a full run loads), each
leaving a sentinel too: pylint puts the checked directories in front of `sys.path`, so an import
made while it checks resolves to the project's `json.py` before the real one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import FIXTURES, marked_findings
from integration_helpers import _FLAKE8_LINE, _PYLINT_LINE, parse, run

NEVER_RUN = FIXTURES / "never_run"
SHADOW = 'open(__file__ + ".ran", "w").close()\n'
# Enough modules that parsing runs in worker processes (the pool and its imports are lazy too).
GENERATED_MODULES = 120
# What a run of every front end loads, measured in a fresh interpreter on the same project.
_LOADED_BY_A_RUN = """
import json
import sys
from pathlib import Path
from layerlint import cli, engine
from layerlint.core.config import load_config
from layerlint.core.options import RunOptions
from layerlint.integrations import flake8, pylint
from layerlint.reporters import github, sarif, text
engine.check(load_config(Path(sys.argv[1])), options=RunOptions(jobs=2))
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "never_run"
    shutil.copytree(NEVER_RUN, root)
    generated = root / "app" / "generated"
    generated.mkdir()
    payload = (root / "app" / "__init__.py").read_text()
    for number in range(GENERATED_MODULES):
        (generated / f"module_{number}.py").write_text(payload)
    (generated / "__init__.py").write_text(payload)
    return root


def _importable_names(root: Path) -> set[str]:
    measured = subprocess.run([sys.executable, "-c", _LOADED_BY_A_RUN, str(root)], capture_output=True,
                              text=True, check=True, timeout=120)
    loaded = set(json.loads(measured.stdout))
    shutil.rmtree(root / ".layerlint_cache")
    assert {"_blake2", "json", "libcst", "click"} <= loaded  # the lazy ones are in
    names = (set(sys.stdlib_module_names) | loaded) - set(sys.builtin_module_names)
    return {name for name in names if name.isidentifier()} - {"__main__", "layerlint", "app", "setup", "conftest"}


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _project(tmp_path_factory.mktemp("hostile"))
    for name in _importable_names(root):
        (root / f"{name}.py").write_text(SHADOW)
    return root


def _ran(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*.ran"))


PYLINT = ("pylint", "--load-plugins=layerlint.pylint_plugin", "--disable=all", "--enable=layerlint", "--score=n")
FRONT_ENDS = {  # name: (command, output line pattern)
    "cli": (("layerlint", "check", "--no-cache", "."), _FLAKE8_LINE),
    "cli_one_file": (("layerlint", "check", "app/routers/items.py"), _FLAKE8_LINE),
    "flake8": (("flake8", "--select", "LL", "."), _FLAKE8_LINE),
    "flake8_one_job": (("flake8", "--select", "LL", "-j", "1", "app/routers", "app/repositories"), _FLAKE8_LINE),
    "pylint": ((*PYLINT, "app/routers", "app/repositories", "setup.py", "conftest.py"), _PYLINT_LINE),
    "pylint_two_jobs": ((*PYLINT, "-j", "2", "app/routers", "app/repositories"), _PYLINT_LINE),
}


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
def test_no_checked_file_is_ever_executed(hostile_root: Path, front_end: str) -> None:
    shutil.rmtree(hostile_root / ".layerlint_cache", ignore_errors=True)
    command, pattern = FRONT_ENDS[front_end]
    completed = run(hostile_root, *command)
    output = completed.stdout + completed.stderr
    assert _ran(hostile_root) == [], output
    assert "Traceback" not in output, output
    checked = command[-1] if front_end == "cli_one_file" else ""
    assert parse(completed.stdout, pattern) == {f for f in marked_findings(NEVER_RUN) if f[0].startswith(checked)}
