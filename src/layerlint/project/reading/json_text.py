"""Reading JSON text the cache wrote: one value at an offset of a text, and a whole text fast.

Both the facts codec (`project/reading/compact.py`) and the facts store
(`cache/fact_shards.py`) read stored JSON this way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

# One JSON value at an offset of a text, without slicing it: (value, end). The C scanner
# json.loads uses; raises StopIteration where no value starts.
scan_at: Callable[[str, int], tuple[Any, int]] = getattr(json.JSONDecoder(), "scan_once")  # not in typeshed


def read_json(text: str) -> Any:
    """The value of JSON text the cache wrote: msgspec's decoder, 1.5x json's on the facts (at
    100k lines 0.055 s against 0.08 s), or json's for what msgspec refuses (an escaped lone
    surrogate, which the fallback encoder writes for one in a string of the source)."""
    try:
        return _fast_decode()(text)
    except ValueError:  # msgspec.DecodeError is one
        return json.loads(text)


@cache
def _fast_decode() -> Callable[[str], Any]:
    import msgspec.json  # imported already where facts are read: the cache writes with it

    return msgspec.json.Decoder().decode
