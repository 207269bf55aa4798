"""Editor buffers and stdin: text handed over in place of a file on disk.

A buffer equal to its file is the file (and its facts and findings come from the cache); one
that differs is parsed here, in the process that checks, and counts in the findings key by its
facts' digest like a file does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from layerlint.core.config import Config
from layerlint.project.reading.discovery import SourceFile, module_name_for, read_source

if TYPE_CHECKING:
    from layerlint.project.reading.facts import ModuleFacts


def differing(config: Config, buffers: dict[str, bytes]) -> dict[str, bytes]:
    """The buffers (by root-relative path) that differ from their file on disk."""
    return {relative: data for relative, data in buffers.items() if differs_from_disk(config.root / relative, data)}


def differs_from_disk(path: Path, data: bytes | str) -> bool:
    """Whether a buffer (an editor's text, stdin) is not what the file holds on disk. Text is
    compared with the file as Python reads it (encoding cookie, BOM, universal newlines): flake8
    hands over lines read that way, and a CRLF file is still the file."""
    try:
        raw = read_source(path)
        if isinstance(data, str):
            import io
            import tokenize

            encoding = tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
            return io.TextIOWrapper(io.BytesIO(raw), encoding).read() != data
        return raw != data
    except (OSError, SyntaxError, UnicodeDecodeError):  # unreadable, or a bad coding cookie
        return True


def source_files(config: Config, buffers: dict[str, bytes]) -> list[SourceFile]:
    """The files the buffers stand for, as discovery would have found them (a buffer of a file
    discovery does not know, such as a new unsaved module, joins the project)."""
    return [f for f in (_source_file_for(config, relative) for relative in buffers) if f is not None]


def _source_file_for(config: Config, relative: str) -> SourceFile | None:
    named = module_name_for(config.root / relative, config)
    if named is None:
        return None
    return SourceFile(str(config.root / relative), relative, named[0], named[1])


def buffer_facts(files: list[SourceFile], buffers: dict[str, bytes]) -> dict[str, ModuleFacts]:
    """Facts of the buffers, by path."""
    if not buffers:
        return {}
    from layerlint.project.reading.loader import facts_from_bytes  # the parser, only when a buffer is handed over

    return {f.relative: facts_from_bytes(f, buffers[f.relative]) for f in files if f.relative in buffers}
