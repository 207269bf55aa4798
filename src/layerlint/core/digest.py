"""blake2b, the digest of file contents, facts, findings keys and the cache's namespaces.

Imported from CPython's own module, not through `hashlib`: importing `hashlib` loads OpenSSL's
algorithms (2 ms of a 0.1 s run answered from the cache), and blake2b is not one of them.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # a Python without CPython's module
    from hashlib import blake2b

__all__ = ["blake2b"]
