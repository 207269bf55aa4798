"""Generated projects (the benchmark corpus generator) for tests that need more than a fixture."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest


def generator() -> Path:
    """The benchmark corpus generator, in the `shared/` folder beside the repository (or above a worktree)."""
    for folder in Path(__file__).resolve().parents:
        found = folder / "shared" / "bench" / "gen_monorepo.py"
        if found.is_file():
            return found
    pytest.skip("shared/bench/gen_monorepo.py not found beside the repository")


def generate(root: Path, domains: int) -> Path:
    """A generated project whose files are all older than the cache's 2 s "racy" window, as a
    checkout is: every fast path of the cache (stats, the unchanged tree) takes part."""
    subprocess.run([sys.executable, str(generator()), str(root), "--domains", str(domains), "--seed", "7"],
                   check=True, capture_output=True)
    (root / "pyproject.toml").write_text('[project]\nname = "generated"\n')
    past = time.time() - 3600
    for path in root.rglob("*"):
        os.utime(path, (past, past))
    return root
