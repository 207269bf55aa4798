"""The plugins' line to a running `layerlint server`: ask it for one file's findings instead of
checking the whole project again.

The server holds the project in memory, so a flake8 or pylint run on one edited file is answered
by re-checking that file's text against what the server already holds. The two meet at a Unix
domain socket named after the project root, in a per-user runtime directory (never in the
project). One request a connection, one JSON line each way:

    request:  {"root": ..., "config": <digest>, "path": <root-relative>, "data": <base64 of the text>}
    response: {"accepted": true}, then {"findings": [<as the findings cache encodes them>]};
              or {"not_mine": true} alone

"not mine" is the answer when the server holds no project with that root and configuration, or
has not finished loading it: the plugin then checks as it would without a server. So does any
failure (no server, a stale socket, a slow or broken answer, a platform without AF_UNIX): `ask`
returns None and never raises.

The timeouts are what keep a plugin from waiting on a server that cannot answer. A live server
accepts a connection at once and says "accepted" from its event loop within milliseconds, while
the check runs in a thread; a socket that connects but says nothing (its process hung, or a
stray child holding it) is given up after ACCEPT_TIMEOUT. The answer itself may have to wait for
a check already under way (an editor's edit) before its own: ANSWER_TIMEOUT is several times
the longest of those measured on polar's 1,171 modules (docs/incremental.md).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layerlint import __version__
from layerlint.cache.findings import decode, encode
from layerlint.cache.storage import known_rules
from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.digest import blake2b
from layerlint.core.records import record

if TYPE_CHECKING:  # the server's side only: a plugin's start would pay 30 ms for asyncio
    import asyncio

CONNECT_TIMEOUT = 0.05  # seconds: a listening server accepts at once; anything slower is no server
ACCEPT_TIMEOUT = 0.5  # seconds from the request to "accepted": the server's event loop answers at once
# Seconds from "accepted" to the findings: the server re-checks the text, after a check under way
# if there is one; past this the plugin checks by itself. LAYERLINT_SERVER_TIMEOUT overrides.
ANSWER_TIMEOUT = 5.0
ACCEPTED = {"accepted": True}
# Seconds a socket that timed out is not asked again by this process: flake8 and pylint ask once
# per file, and a long-lived one (an editor's pylint server) tries again later.
RETRY_AFTER = 30.0
MAX_LINE = 64 * 2**20  # bytes: a request or answer longer than this is not ours

log = logging.getLogger(__name__)


@record(frozen=True)
class Request:
    root: Path
    config: str  # `config_digest` of the configuration the plugin checks with
    path: str  # root-relative, as findings name it
    data: bytes


# The server's answer to a request, given at once: None when the project is not its own (or not
# loaded yet), else what computes the path's findings when called.
Answer = Callable[[Request], Callable[[], Awaitable[Sequence[Diagnostic]]] | None]


def config_digest(config: Config) -> str:
    """The effective configuration (and the version that reads it): a server with another answers "not mine"."""
    return blake2b(repr((__version__, config)).encode(), digest_size=16).hexdigest()


def runtime_directory() -> Path:
    """`$XDG_RUNTIME_DIR/layerlint`, else `<tempdir>/layerlint-<uid>`: the user's own, never the project."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base:
        return Path(base) / "layerlint"
    return Path(tempfile.gettempdir()) / f"layerlint-{os.getuid()}"


def socket_path(root: Path) -> Path:
    """The socket of the server for the project at `root` (resolved, so every spelling of it meets)."""
    name = blake2b(str(root.resolve()).encode(), digest_size=10).hexdigest()
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
    if unanswered.get(address, 0.0) > time.monotonic():
        return None
    request = {"root": str(config.root), "config": config_digest(config), "path": path,
               "data": base64.b64encode(data).decode("ascii")}
    try:
        answer = _exchange(address, (json.dumps(request) + "\n").encode())
        return _findings(path, answer)
    except TimeoutError:
        unanswered[address] = time.monotonic() + RETRY_AFTER
        return None
    except (OSError, ValueError, TypeError, KeyError):
        return None


unanswered: dict[Path, float] = {}  # socket -> when to ask it again, after it timed out


def _exchange(address: Path, request: bytes) -> Any:
    """The server's answer to `request`: its "accepted" line within ACCEPT_TIMEOUT, then the answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(CONNECT_TIMEOUT)
        connection.connect(str(address))
        connection.settimeout(ACCEPT_TIMEOUT)
        connection.sendall(request)
        lines = _Lines(connection)
        first = json.loads(lines.next(time.monotonic() + ACCEPT_TIMEOUT))
        if first != ACCEPTED:
            return first
        return json.loads(lines.next(time.monotonic() + _answer_timeout()))


class _Lines:
    """The lines a connection receives, each before its deadline (socket.timeout, an OSError, past it)."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._received = bytearray()

    def next(self, deadline: float) -> bytes:
        while b"\n" not in self._received:
            self._connection.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = self._connection.recv(1 << 16)
            if not chunk or len(self._received) > MAX_LINE:
                raise ValueError("no complete answer")
            self._received += chunk
        line, _, self._received[:] = self._received.partition(b"\n")
        return bytes(line)


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
        self._servers: dict[Path, asyncio.Server] = {}
        self._starting: set[asyncio.Task[bool]] = set()  # held: the loop keeps only weak references

    def start(self, root: Path) -> None:
        """`listen` for `root` soon, from code that runs on the event loop but cannot wait."""
        import asyncio

        task = asyncio.get_running_loop().create_task(self.listen(root))
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def listen(self, root: Path) -> bool:
        """Answer the plugins of the project at `root`; False when that cannot be done (no AF_UNIX,
        no private directory, another live server for the root)."""
        import asyncio

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

    def remove_files(self) -> None:
        """Remove the sockets' files only: what can be done from a signal handler, the process
        ending right after (its sockets close with it)."""
        for address in self._servers:
            address.unlink(missing_ok=True)

    def drop_in_child(self) -> None:
        """In a process forked from the server (a parse worker), let go of the listening sockets:
        only the server answers, and a child that outlived it would otherwise keep them
        accepting connections nobody reads."""
        devnull = os.open(os.devnull, os.O_RDONLY)
        try:
            for server in self._servers.values():
                for listening in server.sockets:
                    os.dup2(devnull, listening.fileno())  # the number stays valid, the socket is gone
        finally:
            os.close(devnull)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            for response in self._respond(line):
                writer.write((json.dumps(await response) + "\n").encode())
                await writer.drain()
        except (OSError, ValueError, KeyError, TypeError) as error:  # a client gone, or no plugin's request
            log.debug("layerlint: a request not answered: %r", error)
        except Exception:  # a bug in answering: say so, keep serving (the plugin checks by itself)
            log.exception("layerlint: answering a plugin failed")
        finally:
            writer.close()

    def _respond(self, line: bytes) -> Iterator[Awaitable[dict[str, Any]]]:
        """The lines to send, each awaited once the one before is sent: "accepted" goes out before
        the check starts, so a plugin knows at once that it talks to a live server."""
        document = json.loads(line)
        request = Request(Path(document["root"]), str(document["config"]), str(document["path"]),
                          base64.b64decode(document["data"], validate=True))
        find = self._answer(request)
        if find is None:
            yield _now({"not_mine": True})
            return
        yield _now(ACCEPTED)
        yield _encoded(find)


async def _now(response: dict[str, Any]) -> dict[str, Any]:
    return response


async def _encoded(find: Callable[[], Awaitable[Sequence[Diagnostic]]]) -> dict[str, Any]:
    return {"findings": [encode(d) for d in await find()]}


def _answers(address: Path) -> bool:
    """Whether a live server is listening at `address`: it reads a line and closes the connection
    on an empty one. A stale socket file refuses; one held open by a process that no longer
    answers (hung, or a stray child of a server gone) says nothing, and is taken over."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(CONNECT_TIMEOUT)
            probe.connect(str(address))
            probe.settimeout(ACCEPT_TIMEOUT)
            probe.sendall(b"\n")
            probe.recv(1)  # b"": the server closed it
        return True
    except OSError:
        return False
