"""Writing the `[tool.layerlint]` section `layerlint init` inferred into a pyproject.toml: never
over an existing one unless forced, and only when the result reads back as valid configuration."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from layerlint.core.config import WHOLE_FILE, ConfigError, config_from_table

_LAYERLINT_HEADER = re.compile(r"^\s*\[\s*tool\s*\.\s*layerlint\s*[.\]]")
_ANY_HEADER = re.compile(r"^\s*\[")


def with_section(text: str, section: str, pyproject: Path, *, force: bool) -> str:
    """`text` (a pyproject.toml, maybe empty) with `section` appended; an existing `[tool.layerlint]`
    is an error, or replaced when `force`."""
    if _configures_layerlint(text, pyproject):
        if not force:
            raise ConfigError(pyproject, WHOLE_FILE, "has a [tool.layerlint] section already; `layerlint init "
                              "--force` replaces it, `layerlint init --dry-run` prints what it would write")
        text = _without_layerlint_tables(text)
        if _configures_layerlint(text, pyproject):
            raise ConfigError(pyproject, WHOLE_FILE, "[tool.layerlint] is set outside its own tables (as dotted "
                              "keys); remove it by hand, then run `layerlint init` again")
    result = text.rstrip("\n") + ("\n\n" if text.strip() else "") + section + "\n"
    table = tomllib.loads(result)["tool"]["layerlint"]  # what check will read: checked before writing
    config_from_table(table, pyproject.parent, pyproject)
    return result


def write_section(pyproject: Path, section: str, *, force: bool) -> None:
    text = pyproject.read_text("utf-8") if pyproject.is_file() else ""
    pyproject.write_text(with_section(text, section, pyproject, force=force), "utf-8")


def _configures_layerlint(text: str, pyproject: Path) -> bool:
    try:
        return "layerlint" in tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(pyproject, WHOLE_FILE, f"not valid TOML: {error}") from error


def _without_layerlint_tables(text: str) -> str:
    """`text` without the `[tool.layerlint]` and `[tool.layerlint.*]` tables (header to next header)."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        if _ANY_HEADER.match(line):
            inside = bool(_LAYERLINT_HEADER.match(line))
        if not inside:
            kept.append(line)
    return "".join(kept)
