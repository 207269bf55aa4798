"""Glob matching for module names (`app.api.**`) and paths (`app/scripts/*.py`).

`*` matches within one segment, `**` matches any number of segments (including none).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=1024)
def _compile(pattern: str, separator: str) -> re.Pattern[str]:
    sep = re.escape(separator)
    if pattern.endswith(separator + "**"):  # "app.api.**" also matches the package "app.api"
        head = _compile(pattern[: -len(separator) - 2], separator).pattern[: -len(r"\Z")]
        return re.compile(f"{head}(?:{sep}.*)?" + r"\Z")
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**", index):
            index += 2
            if pattern.startswith(separator, index):  # "**." or "**/": zero or more whole segments
                out.append(f"(?:.*{sep})?")
                index += 1
            else:
                out.append(".*")
        elif pattern[index] == "*":
            out.append(f"[^{sep}]*")
            index += 1
        elif pattern[index] == "?":
            out.append(f"[^{sep}]")
            index += 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(out) + r"\Z")


def match_module(pattern: str, module: str) -> bool:
    return _compile(pattern, ".").match(module) is not None


def match_path(pattern: str, path: str) -> bool:
    """Match a root-relative, "/"-separated path; a bare pattern also matches as a prefix dir."""
    compiled = _compile(pattern.rstrip("/"), "/")
    if compiled.match(path):
        return True
    # "app/legacy" excludes everything below it, as ruff and flake8 do for directories.
    parts = path.split("/")
    return any(compiled.match("/".join(parts[:i])) for i in range(1, len(parts)))


def any_path_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """One regular expression for many path patterns, matching the path itself (not its parents).

    For walking a tree: test each directory as it is entered and each file, and the result
    equals `any(match_path(p, path) for p in patterns)`, at the cost of one match per entry.
    """
    if not patterns:
        return lambda path: False
    combined = re.compile("|".join(f"(?:{_compile(p.rstrip('/'), '/').pattern})" for p in patterns))
    return lambda path: combined.match(path) is not None
