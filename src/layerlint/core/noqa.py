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


def suppressed(code: str, noqa: tuple[str, ...] | None) -> bool:
    if noqa is None:
        return False
    return ALL_CODES in noqa or any(code.startswith(listed) for listed in noqa)


def with_noqa(line: str, code: str) -> str | None:
    """`line` (no newline) with `code` added to its `# noqa: ...` comment, or given a new one;
    None when a noqa comment there already suppresses `code` (a bare `# noqa` does)."""
    codes = noqa_codes(line)
    if codes is None:
        return f"{line.rstrip()}  # noqa: {code}"
    if suppressed(code, codes):
        return None
    match = NOQA_PATTERN.search(line)
    assert match is not None  # it listed `codes`
    listed = match.group("codes").rstrip(", \t")  # the pattern takes the separators after the last code
    end = match.start("codes") + len(listed)
    return f"{line[:match.start()]}# noqa: {', '.join((*codes, code))}{line[end:]}"
