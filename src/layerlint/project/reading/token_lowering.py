"""Lower the commonest newer grammar to 3.11 from tokens, without libcst.

PEP 758's `except A, B:` (ruff's formatter writes it for 3.14), PEP 695's `type X = ...`
statements and type parameters of functions are most of the newer grammar real projects hold:
in polar's server, 62 of its 73 newer-grammar files. libcst's lowering parses the whole module
in a forked child: 0.66 s for a 1,600-line router, 1.35 s for a 3,000-line service, at every
keystroke in an editor. A tokenize and a few edits on the same lines cost 1-50 ms and give the
text libcst's lowering gives for these constructs. Anything else (generic classes, PEP 701
f-strings, type parameters spread over lines) is left to libcst: `lower_from_tokens` then answers
None, or text that `ast` still rejects.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Sequence

Position = tuple[int, int]  # (line, column) as tokenize gives them
Edit = tuple[Position, Position, str]  # replace the text between two positions of one line

_IGNORED = frozenset({tokenize.COMMENT, tokenize.NL})
_STATEMENT_START = frozenset({tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT})


class _NotOnOneLine(Exception):
    """An edit would span lines, so applying it would move later lines: libcst's case."""


def lower_from_tokens(source: str) -> str | None:
    """`source` with PEP 758 except groups parenthesised and PEP 695 type aliases and function
    type parameters lowered; None when it has none of them or cannot be lowered from tokens."""
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in _IGNORED]
        edits = [edit for index in range(len(tokens)) for edit in _edits_at(tokens, index)]
        return _applied(source, edits) if edits else None
    except (tokenize.TokenError, SyntaxError, _NotOnOneLine):
        return None


def _edits_at(tokens: Sequence[tokenize.TokenInfo], index: int) -> list[Edit]:
    token = tokens[index]
    if token.type != tokenize.NAME:
        return []
    if token.string == "except":
        return _except_group(tokens, index + 1)
    following = [t.string for t in tokens[index + 1:index + 3]]
    if token.string == "def" and following[1:] == ["["]:  # def name[T](...)
        return [_removed_brackets(tokens, index + 2)]
    starts_statement = index == 0 or tokens[index - 1].type in _STATEMENT_START
    if token.string == "type" and starts_statement and len(following) == 2 \
            and tokens[index + 1].type == tokenize.NAME and following[1] in ("=", "["):
        return _type_alias(tokens, index)
    return []


def _except_group(tokens: Sequence[tokenize.TokenInfo], index: int) -> list[Edit]:
    """`(` and `)` around the exception types after `except` (or `except*`) when a comma separates
    them outside brackets and no `as` follows (PEP 758 needs the brackets with `as`)."""
    if index < len(tokens) and tokens[index].string == "*":
        index += 1
    depth, grouped, first, last = 0, False, None, None
    for token in tokens[index:]:
        if depth == 0 and (token.string == ":" or token.type == tokenize.NEWLINE):
            break
        if depth == 0 and token.string == "as":
            return []
        depth += (token.string in ("(", "[", "{")) - (token.string in (")", "]", "}"))
        grouped |= depth == 0 and token.string == ","
        first, last = first or token, token
    if not grouped or first is None or last is None:
        return []
    return [(first.start, first.start, "("), (last.end, last.end, ")")]


def _type_alias(tokens: Sequence[tokenize.TokenInfo], index: int) -> list[Edit]:
    """`type X[T] = value` as `X = value`: the name keeps its value, as libcst's lowering does."""
    name = tokens[index + 1]
    edits: list[Edit] = [(tokens[index].start, name.start, "")]
    if tokens[index + 2].string == "[":
        edits.append(_removed_brackets(tokens, index + 2))
    return edits


def _removed_brackets(tokens: Sequence[tokenize.TokenInfo], index: int) -> Edit:
    """The edit removing the brackets opening at `tokens[index]` and what they hold."""
    depth = 0
    for token in tokens[index:]:
        depth += (token.string in ("(", "[", "{")) - (token.string in (")", "]", "}"))
        if depth == 0:
            if token.end[0] != tokens[index].start[0]:
                raise _NotOnOneLine
            return tokens[index].start, token.end, ""
    raise _NotOnOneLine  # unbalanced: tokenize would have said so first


def _applied(source: str, edits: list[Edit]) -> str:
    lines = source.splitlines(keepends=True)
    for (line, start), (end_line, end), text in sorted(edits, reverse=True):
        if end_line != line:  # not made by the edits above; kept so that no edit can move a line
            raise _NotOnOneLine
        lines[line - 1] = lines[line - 1][:start] + text + lines[line - 1][end:]
    return "".join(lines)
