"""Read and parse one file with the running interpreter's `ast`, with a fallback for newer grammar.

Projects already use syntax newer than the interpreter a linter may run on (PEP 695 type
parameters, PEP 701 f-strings, PEP 758 unparenthesised `except A, B:`). When `ast.parse`
rejects a file, the commonest of these are first lowered from tokens (`token_lowering.py`);
when that is not enough, libcst's native parser (grammar up to 3.14) parses it and a small
transformer lowers just those constructs to equivalent 3.11 syntax on the same lines. The lowered
text is then parsed with `ast`. Only files that no way accepts are reported as unparsable.

libcst's native parser overflows the C stack on input nested deeply enough (1,300 brackets, a
chain of 5,000 `lambda:`), killing the process with SIGSEGV, which no `except` can catch, and
its time grows faster than the depth (a chain of 3,000 subscripts: 24 s). So input nested
deeper than `MAX_FALLBACK_DEPTH` (estimated from tokens) never reaches it; `ast` rejects such
depths anyway (about 3,000). And the fallback runs in a forked child where there is `os.fork`,
so a crash the estimate misses is one unparsable file, not a lost run. The fork costs ~2 ms;
libcst's parse of such a file ~100 ms.
"""

from __future__ import annotations

import ast
import io
import os
import signal
import tokenize
from collections.abc import Callable

from layerlint.core.records import record
from layerlint.project.reading.token_lowering import lower_from_tokens


@record(frozen=True)
class ParseFailure:
    message: str
    line: int
    column: int  # 1-based


@record(frozen=True)
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
        if _TOO_DEEP_FOR_ANY_PYTHON in error.msg:
            return first_error  # no grammar accepts it, and libcst would only crash on it
    except (RecursionError, MemoryError, ValueError) as error:
        return ParseFailure(f"cannot parse the file: {type(error).__name__}: {error}", 1, 1)
    if len(source) > MAX_FALLBACK_CHARACTERS:  # checked first: the depth estimate tokenizes the file
        return ParseFailure(f"{first_error.message} (and too large to try newer grammar)",
                            first_error.line, first_error.column)
    if _nested_deeper_than(source, MAX_FALLBACK_DEPTH):
        return ParseFailure(f"{first_error.message} (and nested too deeply to try newer grammar)",
                            first_error.line, first_error.column)
    # From tokens first (cheap, the commonest constructs), then libcst (the rest of the grammar).
    for lower in (lower_from_tokens, lower_newer_syntax):
        lowered = lower(source)
        if lowered is None:
            continue
        try:
            return ParsedModule(source, ast.parse(lowered, filename), lowered=True)
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            continue
    return first_error


# CPython's tokenizer limit on open brackets (MAXLEVEL, 200), kept by the versions after 3.11.
_TOO_DEEP_FOR_ANY_PYTHON = "too many nested parentheses"


# libcst parses 1,000 chained operators in under a second and crashes near 5,000.
MAX_FALLBACK_DEPTH = 1000
# libcst takes about 9 s a megabyte, so a broken 5 MB module (generated code, say) held a run for
# 45 s before it was reported unparsable. Hand-written modules in newer grammar are far smaller.
MAX_FALLBACK_CHARACTERS = 1_000_000
_CHAINING_KEYWORDS = frozenset({"not", "and", "or", "if", "else", "lambda", "await", "in", "is"})
_VALUE_TOKENS = frozenset({tokenize.NAME, tokenize.NUMBER, tokenize.STRING})


def _nested_deeper_than(source: str, limit: int) -> bool:
    """Whether an upper estimate of the deepest expression, from tokens (no recursion), exceeds
    `limit`: the open brackets plus, at each, the operators, keywords, calls and subscripts
    chained since it opened or since its last comma."""
    chains = [0]  # per open bracket, innermost last
    depth = 0  # len(chains) - 1 + sum(chains), kept as it changes
    previous: tokenize.TokenInfo | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            step = _chain_step(token, previous)
            if token.type == tokenize.NEWLINE:
                chains, depth = [0], 0
            elif token.string in ("(", "[", "{"):
                chains[-1] += step
                chains.append(0)
                depth += step + 1
            elif token.string in (")", "]", "}") and len(chains) > 1:
                depth -= chains.pop() + 1
            elif token.string in (",", ";"):
                depth -= chains[-1]
                chains[-1] = 0
            else:
                chains[-1] += step
                depth += step
            if depth > limit:
                return True
            previous = token
    except (tokenize.TokenError, SyntaxError):  # the tokenizer gives up: judged on what it read
        pass
    return False


def _chain_step(token: tokenize.TokenInfo, previous: tokenize.TokenInfo | None) -> int:
    """1 when `token` chains onto the expression before it (one more level of nesting)."""
    if token.type == tokenize.OP:
        if token.string in ("(", "["):  # a call or subscript when it follows a value
            return int(previous is not None and (previous.type in _VALUE_TOKENS or previous.string in (")", "]")))
        return int(token.string not in ("{", ")", "]", "}", ",", ";"))
    if token.type == tokenize.NAME:
        return int(token.string in _CHAINING_KEYWORDS)
    # Adjacent strings are one concatenation, nested pairwise.
    return int(token.type == tokenize.STRING and previous is not None and previous.type == tokenize.STRING)


def _failure_from(error: SyntaxError) -> ParseFailure:
    message = error.msg
    if "too many nested" in message or "nested too deeply" in message:
        message = f"{message} (nesting too deep to analyse)"
    return ParseFailure(f"syntax error: {message}", error.lineno or 1, max(error.offset or 1, 1))


def lower_newer_syntax(source: str) -> str | None:
    """The same program in 3.11 grammar, or None when libcst cannot parse it either (or crashes)."""
    try:
        from layerlint.project.reading.lowering import (
            lower,  # libcst is imported only for such files
        )
    except ImportError:
        return None
    if not hasattr(os, "fork"):  # Windows: no cheap child process; deep input is rejected above
        return _lowered(lower, source)
    return _lowered_in_child(lower, source)


def _lowered(lower: Callable[[str], str], source: str) -> str | None:
    try:
        return lower(source)
    except Exception:  # noqa: BLE001 - any failure of the fallback means "genuinely unparsable"
        return None


def _lowered_in_child(lower: Callable[[str], str], source: str) -> str | None:
    """`lower(source)` computed in a forked child, None when it fails or the child dies."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        _child_lowers(lower, source, read_end, write_end)
    os.close(write_end)
    reaped = False
    try:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        reaped = True
        return data.decode("utf-8", "surrogatepass") if os.waitstatus_to_exitcode(status) == 0 else None
    finally:
        if not reaped:  # interrupted while it works: never leave it running
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _child_lowers(lower: Callable[[str], str], source: str, read_end: int, write_end: int) -> None:
    # os._exit: the child must not run the parent's atexit handlers or flush its buffers again.
    status = 1
    try:
        os.close(read_end)
        lowered = _lowered(lower, source)
        if lowered is not None:
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(lowered.encode("utf-8", "surrogatepass"))
            status = 0
    finally:
        os._exit(status)

