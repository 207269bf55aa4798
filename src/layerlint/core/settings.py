"""The effective configuration, every key with its value and where it came from (`check
--show-settings`): the default, the pyproject.toml that set it, or the command line. Printed as
TOML, so a line can be copied into `[tool.layerlint]` as it is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from layerlint.core.config import DEFAULT_EXCLUDES, ROLE_NAMES, SCHEMA, Config
from layerlint.core.records import record

DEFAULT = "default"
COMMAND_LINE = "command line"


@record(frozen=True)
class Setting:
    key: str  # dotted, as in [tool.layerlint]: `sessions.read`
    value: Any
    source: str  # DEFAULT, COMMAND_LINE or the pyproject.toml's path


def effective_settings(config: Config, command_line: frozenset[str] = frozenset()) -> list[Setting]:
    """Every key of the schema, roles and extend-roles per role; `command_line` names the keys
    the command line set (`select`, `ignore`)."""
    return [Setting(key, value, _source(config, key, command_line)) for key, value in _values(config)]


def _values(config: Config) -> Iterator[tuple[str, Any]]:
    for key, spec in SCHEMA.items():
        if key in ("roles", "extend-roles"):
            continue
        elif spec.kind == "table":
            yield from ((f"{key}.{child}", getattr(config, sub.attr)) for child, sub in spec.children.items())
        elif spec.kind == "map-list":
            yield key, {glob: list(codes) for glob, codes in getattr(config, spec.attr)}
        else:
            yield key, getattr(config, spec.attr)
    for role in ROLE_NAMES:  # what each role matches, defaults and extensions included
        yield f"roles.{role}", list(config.role_globs(role))


def _source(config: Config, key: str, command_line: frozenset[str]) -> str:
    if key in command_line:
        return COMMAND_LINE
    file = str(config.file)
    if key == "exclude":
        where = file if key in config.configured else f"{DEFAULT}: none"
        return f"{where}; added to the default excludes: {', '.join(DEFAULT_EXCLUDES)}"
    if key.startswith("roles."):
        extended = f"extend-{key}" in config.configured
        if key in config.configured:
            return f"{file} (replaces the default)" + (" + extend-roles" if extended else "")
        return f"{DEFAULT} + {file} (extend-{key})" if extended else DEFAULT
    return file if key in config.configured else DEFAULT + _DEFAULT_MEANING.get(key, "")


_DEFAULT_MEANING = {"packages": ": every package under the root or root/src"}


def settings_toml(config: Config, command_line: frozenset[str] = frozenset()) -> str:
    """The settings as TOML lines, each with its source as a comment."""
    lines = [f"# project root: {config.root}",
             f"# configuration: {config.file or 'none (no pyproject.toml configures layerlint here)'}"]
    for setting in effective_settings(config, command_line):
        lines.append(f"{setting.key} = {_toml(setting.value)}  # {setting.source}")
    return "\n".join(lines)


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f" {json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + (" }" if value else "}")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(json.dumps(item) for item in value) + "]"
    return json.dumps(value)
