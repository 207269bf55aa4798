"""The plugins' line to a running `layerlint server`: ask it for one file's findings instead of
checking the whole project again.

The server holds the project in memory, so a flake8 or pylint run on one edited file is answered
by re-checking that file's text against what the server already holds. The two meet at a Unix
domain socket named after the project root, in a per-user runtime directory (never in the
project). One request a connection, one JSON line each way:

    request:  {"root": ..., "config": <digest>, "path": <root-relative>, "data": <base64 of the text>}
    response: {"findings": [<as the findings cache encodes them>]} or {"not_mine": true}

"not mine" is the answer when the server holds no project with that root and configuration: the
plugin then checks as it would without a server. So does any failure (no server, a stale socket,
a slow or broken answer, a platform without AF_UNIX): `ask` returns None and never raises.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import socket
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layerlint import __version__
from layerlint.cache.findings import decode, encode
from layerlint.cache.storage import known_rules
from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic

CONNECT_TIMEOUT = 0.05  # seconds: a listening server accepts at once; anything slower is no server
# Seconds for the whole answer: the server re-checks the text, which on a big project and a
# cold server can take a while; past this the plugin checks by itself. LAYERLINT_SERVER_TIMEOUT overrides.
ANSWER_TIMEOUT = 10.0
MAX_LINE = 64 * 2**20  # bytes: a request or answer longer than this is not ours

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    root: Path
    config: str  # `config_digest` of the configuration the plugin checks with
    path: str  # root-relative, as findings name it
    data: bytes


# The server's answer to a request: the path's findings, or None when the project is not its own.
Answer = Callable[[Request], Awaitable[Sequence[Diagnostic] | None]]


def config_digest(config: Config) -> str:
    """The effective configuration (and the version that reads it): a server with another answers "not mine"."""
    return hashlib.blake2b(repr((__version__, config)).encode(), digest_size=16).hexdigest()


def runtime_directory() -> Path:
    """`$XDG_RUNTIME_DIR/layerlint`, else `<tempdir>/layerlint-<uid>`: the user's own, never the project."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base:
        return Path(base) / "layerlint"
    return Path(tempfile.gettempdir()) / f"layerlint-{os.getuid()}"


def socket_path(root: Path) -> Path:
    """The socket of the server for the project at `root` (resolved, so every spelling of it meets)."""
    name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=10).hexdigest()
    return runtime_directory() / f"{name}.sock"


def _private_directory(directory: Path, *, create: bool) -> bool:
    """Whether `directory` is ours and closed to others (made so when `create`): a socket in a
    directory someone else can write to could be theirs, answering with their findings."""
    try:
        if create:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = directory.stat()
    except OSError:
        return False
    return status.st_uid == os.getuid() and status.st_mode & 0o077 == 0


# ---------------------------------------------------------------------------- the plugins' side

def ask(config: Config, path: str, data: bytes) -> list[Diagnostic] | None:
    """The findings of `path` with `data` as its text, from the server for `config`'s project;
    None when there is none or its answer cannot be used (the caller then checks by itself)."""
    if not hasattr(socket, "AF_UNIX"):
        return None
    address = socket_path(config.root)
    if not _private_directory(address.parent, create=False):
        return None
    request = {"root": str(config.root), "config": config_digest(config), "path": path,
               "data": base64.b64encode(data).decode("ascii")}
    try:
        answer = _exchange(address, (json.dumps(request) + "\n").encode())
        return _findings(path, answer)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _exchange(address: Path, request: bytes) -> Any:
    deadline = time.monotonic() + _answer_timeout()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(CONNECT_TIMEOUT)
        connection.connect(str(address))
        connection.settimeout(max(deadline - time.monotonic(), 0.001))
        connection.sendall(request)
        received = bytearray()
        while not received.endswith(b"\n"):
            connection.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = connection.recv(1 << 16)
            if not chunk or len(received) > MAX_LINE:
                raise ValueError("no complete answer")
            received += chunk
    return json.loads(received)


def _answer_timeout() -> float:
    try:
        return float(os.environ.get("LAYERLINT_SERVER_TIMEOUT", ANSWER_TIMEOUT))
    except ValueError:
        return ANSWER_TIMEOUT


def _findings(path: str, answer: Any) -> list[Diagnostic] | None:
    """The answer's findings, checked as strictly as the findings cache checks what it reads."""
    if type(answer) is not dict or answer.get("not_mine") is True:
        return None
    items = answer["findings"]
    if type(items) is not list:
        return None
    rules = known_rules()
    return [decode(path, item, rules) for item in items]


# ---------------------------------------------------------------------------- the server's side

class Listener:
    """The server's sockets, one per project root, answered on the running event loop."""

    def __init__(self, answer: Answer) -> None:
        self._answer = answer
        self._servers: dict[Path, asyncio.AbstractServer] = {}
        self._starting: set[asyncio.Task[bool]] = set()  # held: the loop keeps only weak references

    def start(self, root: Path) -> None:
        """`listen` for `root` soon, from code that runs on the event loop but cannot wait."""
        task = asyncio.get_running_loop().create_task(self.listen(root))
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def listen(self, root: Path) -> bool:
        """Answer the plugins of the project at `root`; False when that cannot be done (no AF_UNIX,
        no private directory, another live server for the root)."""
        address = socket_path(root)
        if address in self._servers or not hasattr(socket, "AF_UNIX"):
            return address in self._servers
        if not _private_directory(address.parent, create=True) or _answers(address):
            return False
        try:
            address.unlink(missing_ok=True)  # a stale socket, its server gone
            self._servers[address] = await asyncio.start_unix_server(self._serve, path=str(address),
                                                                             limit=MAX_LINE)
        except OSError as error:
            log.warning("layerlint: cannot listen for the plugins at %s: %s", address, error)
            return False
        log.debug("layerlint: answering the plugins of %s at %s", root, address)
        return True

    def close(self) -> None:
        """Stop listening and remove the sockets."""
        for address, server in self._servers.items():
            server.close()
            address.unlink(missing_ok=True)
        self._servers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            response = await self._respond(line)
            writer.write((json.dumps(response) + "\n").encode())
            await writer.drain()
        except (OSError, ValueError, KeyError, TypeError) as error:  # a client gone, or no plugin's request
            log.debug("layerlint: a request not answered: %r", error)
        except Exception:  # a bug in answering: say so, keep serving (the plugin checks by itself)
            log.exception("layerlint: answering a plugin failed")
        finally:
            writer.close()

    async def _respond(self, line: bytes) -> dict[str, Any]:
        document = json.loads(line)
        request = Request(Path(document["root"]), str(document["config"]), str(document["path"]),
                          base64.b64decode(document["data"], validate=True))
        found = await self._answer(request)
        if found is None:
            return {"not_mine": True}
        return {"findings": [encode(d) for d in found]}


def _answers(address: Path) -> bool:
    """Whether a live server is listening at `address` (a stale socket file refuses)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(CONNECT_TIMEOUT)
            probe.connect(str(address))
        return True
    except OSError:
        return False
