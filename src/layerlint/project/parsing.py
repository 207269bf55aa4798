"""Read and parse one file with the running interpreter's `ast`, with a fallback for newer grammar.

Projects already use syntax newer than the interpreter a linter may run on (PEP 695 type
parameters, PEP 701 f-strings, PEP 758 unparenthesised `except A, B:`). When `ast.parse`
rejects a file, libcst's native parser (grammar up to 3.14) parses it and a small transformer
lowers just those constructs to equivalent 3.11 syntax on the same lines; the lowered text is
then parsed with `ast`. Only files that neither parser accepts are reported as unparsable.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass


@dataclass(frozen=True)
class ParseFailure:
    message: str
    line: int
    column: int  # 1-based


@dataclass(frozen=True)
class ParsedModule:
    source: str
    tree: ast.Module
    lowered: bool  # parsed through the newer-grammar fallback


def decode_source(data: bytes) -> str | ParseFailure:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "invalid or missing encoding declaration" not in error.msg:  # e.g. an unknown codec
            return ParseFailure(f"cannot read the file's encoding: {error.msg}", error.lineno or 1, 1)
        encoding = "utf-8"  # no cookie, and the first lines are not UTF-8: find the bad byte below
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        line, column = _byte_position(data, getattr(error, "start", 0))
        return ParseFailure(f"cannot decode the file as {encoding}: {error}", line, column)
    return text[1:] if text.startswith("\ufeff") else text


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - line_start + 1


def parse_source(source: str, filename: str = "<unknown>") -> ParsedModule | ParseFailure:
    try:
        return ParsedModule(source, ast.parse(source, filename), lowered=False)
    except SyntaxError as error:
        first_error = _failure_from(error)
    except (RecursionError, MemoryError, ValueError) as error:
        return ParseFailure(f"cannot parse the file: {type(error).__name__}: {error}", 1, 1)
    lowered = lower_newer_syntax(source)
    if lowered is None:
        return first_error
    try:
        return ParsedModule(source, ast.parse(lowered, filename), lowered=True)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return first_error


def _failure_from(error: SyntaxError) -> ParseFailure:
    message = error.msg
    if "too many nested" in message or "nested too deeply" in message:
        message = f"{message} (nesting too deep to analyse)"
    return ParseFailure(f"syntax error: {message}", error.lineno or 1, max(error.offset or 1, 1))


def lower_newer_syntax(source: str) -> str | None:
    """The same program in 3.11 grammar, or None when libcst cannot parse it either."""
    try:
        from layerlint.project.lowering import lower  # libcst is imported only for such files
    except ImportError:
        return None
    try:
        return lower(source)
    except Exception:  # noqa: BLE001 - any failure of the fallback means "genuinely unparsable"
        return None
