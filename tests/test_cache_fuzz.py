"""Cache files corrupted every way give the findings of `--no-cache`: truncated, random bytes,
valid JSON of the wrong shape, another format or namespace, a pickle (hypothesis, bounded).

CI runs 100 examples (2-4 s); for a long run:
    LAYERLINT_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_cache_fuzz.py

"Wrong shape" replaces a value with one of another JSON type, down to the level the cache checks
(a manifest entry's fields, a stored finding's fields, a module's facts field by field). A value
of the right type changed to another (an import target renamed) is well-formed tampering, which
no check of the file alone can see: the cache is as trustworthy as the directory it is in.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import FIXTURES
from layerlint import engine
from layerlint.core.config import load_config
from layerlint.core.diagnostic import Diagnostic

EXAMPLES = int(os.environ.get("LAYERLINT_FUZZ_EXAMPLES", "100"))
# How deep a corruption goes in each file: to the fields the cache checks.
DEPTHS = {"files.json": 3, "tree.json": 1, "findings": 4, "facts": 4, "modules.json": 8, "kept.json": 7}
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                           max_leaves=6)


def _json_type(value: Any) -> type:
    return float if type(value) is float else type(value)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Diagnostic]]:
    """A project with a warm cache (facts, manifest, findings, tree), a copy of that cache, and
    the `--no-cache` findings."""
    root = tmp_path_factory.mktemp("fuzz") / "project"
    shutil.copytree(FIXTURES / "ll104" / "router_queries", root, ignore=shutil.ignore_patterns(".layerlint_cache"))
    for number, path in enumerate(sorted(root.rglob("*.py")), start=1):
        os.utime(path, ns=(number, number))  # saved long ago: tree.json is written and read
    expected = _run(root, use_cache=False)
    assert expected and _run(root) == expected
    snapshot = root.parent / "cache"
    shutil.copytree(root / ".layerlint_cache", snapshot)
    return root, snapshot, expected


def _run(root: Path, *, use_cache: bool = True) -> list[Diagnostic]:
    from layerlint.core.options import RunOptions

    result = engine.check(load_config(root), options=RunOptions(use_cache=use_cache, jobs=1))
    return result.diagnostics  # compared whole: position, code, message, severity, import chain


def _kind(path: Path) -> str:
    return path.name if path.name in DEPTHS else path.name.split("-")[0]


@st.composite
def _wrong_shape(draw: st.DrawFn, document: Any, depth: int) -> bytes:
    """The document with one value, at most `depth` deep, replaced by one of another JSON type."""
    parent, key = None, None
    node = document
    for _ in range(draw(st.integers(1, depth))):
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        parent, key = node, draw(st.sampled_from(keys))
        node = parent[key]
    if parent is None:
        return json.dumps(draw(JSON_VALUES)).encode()
    parent[key] = draw(JSON_VALUES.filter(lambda value: _json_type(value) is not _json_type(node)))
    return json.dumps(document).encode()


@st.composite
def _corruption(draw: st.DrawFn, data: bytes, kind: str) -> bytes:
    how = draw(st.sampled_from(["truncated", "random", "wrong shape", "wrong format", "wrong namespace", "pickle"]))
    if how == "truncated":
        return data[:draw(st.integers(0, max(0, len(data) - 1)))]
    if how == "random":
        return draw(st.binary(max_size=300))
    document = json.loads(data)
    if how == "wrong shape":
        return draw(_wrong_shape(document, DEPTHS[kind]))
    if how == "pickle":
        return pickle.dumps(document)
    document["format" if how == "wrong format" else "key"] = draw(st.text(max_size=20))
    return json.dumps(document).encode()


# The same examples on every CI run (a red CI is then the change, not the draw); a long run draws anew.
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize="LAYERLINT_FUZZ_EXAMPLES" not in os.environ)
@given(data=st.data())
def test_a_corrupt_cache_file_gives_the_findings_of_no_cache(
        pristine: tuple[Path, Path, list[Diagnostic]], data: st.DataObject) -> None:
    root, snapshot, expected = pristine
    cache = root / ".layerlint_cache"
    shutil.rmtree(cache)
    shutil.copytree(snapshot, cache)
    files = sorted(p for p in cache.glob("*/*.json"))
    target = data.draw(st.sampled_from(files), label="file")
    target.write_bytes(data.draw(_corruption(target.read_bytes(), _kind(target)), label="corrupted"))
    if data.draw(st.booleans(), label="findings forgotten"):  # the rules then run over the facts
        for path in files:
            if path != target and (path.name.startswith("findings-") or path.name in ("tree.json", "modules.json")):
                path.unlink()
    assert _run(root) == expected
    assert _run(root) == expected  # and from what that run left
