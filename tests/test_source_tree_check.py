"""conftest's session check: a file written into a checkout, new or rewritten, is named; the
interpreter's and pytest's own files are not."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import tree_snapshot, written


def test_new_and_rewritten_files_are_found_and_allowed_ones_are_not(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text(".layerlint_cache/\n")
    (tmp_path / "fixture").mkdir()
    stale = tmp_path / "fixture" / ".layerlint_cache" / "files.json"
    stale.parent.mkdir()
    stale.write_text("{}")
    before = tree_snapshot(tmp_path)
    assert before is not None and "fixture/.layerlint_cache/files.json" in before

    (tmp_path / "fixture" / ".layerlint_cache" / "tree.json").write_text("{}")
    os.utime(stale, ns=(1, 1))  # rewritten in place: same name, another mtime
    (tmp_path / "fixture" / "__pycache__").mkdir()
    (tmp_path / "fixture" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"")
    (tmp_path / ".pytest_cache").mkdir()
    (tmp_path / ".pytest_cache" / "README.md").write_text("")
    after = tree_snapshot(tmp_path)
    assert after is not None
    assert written(before, after) == ["fixture/.layerlint_cache/files.json", "fixture/.layerlint_cache/tree.json"]


def test_outside_a_checkout_there_is_nothing_to_compare(tmp_path: Path) -> None:
    assert tree_snapshot(tmp_path) is None
