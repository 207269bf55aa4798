"""`# noqa` and `# noqa: LL101,LL102` comments, read exactly as flake8 reads them."""

from __future__ import annotations

import re

# flake8's own pattern: codes separated by commas and/or whitespace; anything else makes it bare.
NOQA_PATTERN = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)

ALL_CODES = "*"


def noqa_codes(line: str) -> tuple[str, ...] | None:
    """None: no noqa. ("*",): bare noqa. Otherwise the listed codes."""
    if "noqa" not in line.lower():
        return None
    match = NOQA_PATTERN.search(line)
    if match is None:
        return None
    codes_text = match.group("codes")
    if not codes_text:
        return (ALL_CODES,)
    return tuple(code.upper() for code in _CODE.findall(codes_text))


def unknown_codes(noqa: dict[int, list[str]], known: frozenset[str], prefix: str = "LL") -> list[tuple[int, str]]:
    """(line, code) for each code with our prefix in `# noqa:` comments that selects no rule in
    `known` (a typo: it suppresses nothing). Other tools' codes (E501, B008) are theirs to judge."""
    return [(line, code) for line, codes in sorted(noqa.items()) for code in codes
            if code != ALL_CODES and code.startswith(prefix) and not any(k.startswith(code) for k in known)]


def suppressed(code: str, noqa: tuple[str, ...] | None) -> bool:
    if noqa is None:
        return False
    return ALL_CODES in noqa or any(code.startswith(listed) for listed in noqa)


def with_noqa(text: str, codes_by_line: dict[int, set[str]]) -> tuple[str, list[int]]:
    """`text` with `# noqa: CODE` on each line for its codes, merged into a noqa comment already
    there (other tools' codes kept); and the lines where no comment can go: one that ends inside a
    string or with a backslash, where the comment would change the code or not parse."""
    import io
    import tokenize

    from layerlint.core.fix import Edit, LineIndex, apply_edits

    commentable: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                commentable.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):  # the file does not tokenize: lines seen so far only
        pass
    index = LineIndex(text)
    edits: list[Edit] = []
    skipped: list[int] = []
    for line, codes in sorted(codes_by_line.items()):
        if line not in commentable or line > len(index.starts):
            skipped.append(line)
            continue
        end = len(text) if line == len(index.starts) else index.starts[line]
        content = text[index.starts[line - 1]:end]
        body = content.rstrip("\r\n")
        replaced = _merged(body, codes)
        if replaced != body:
            edits.append(Edit(line, 0, line, len(body), replaced))
    return apply_edits(text, edits), skipped


def _merged(line: str, codes: set[str]) -> str:
    existing = noqa_codes(line)
    if existing == (ALL_CODES,) or (existing and all(suppressed(c, existing) for c in codes)):
        return line
    match = NOQA_PATTERN.search(line) if existing else None
    if match is None:
        return f"{line.rstrip()}  # noqa: {', '.join(sorted(codes))}"
    listed = list(dict.fromkeys([*_CODE.findall(match.group("codes")), *sorted(codes)]))
    trailing = " " if match.group("codes").endswith((" ", "\t")) else ""
    return f"{line[:match.start()]}# noqa: {', '.join(listed)}{trailing}{line[match.end():]}"


def line_with_noqa(line: str, code: str) -> str | None:
    """`line` (no newline) with `code` added to its `# noqa: ...` comment, or given a new one;
    None when a noqa comment there already suppresses `code` (a bare `# noqa` does)."""
    merged = _merged(line, {code})
    return None if merged == line else merged
