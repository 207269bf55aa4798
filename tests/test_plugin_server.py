"""The flake8 and pylint plugins ask a running `layerlint server` (see `layerlint.channel`), and
report exactly what they report without one; with no server, a stale socket or a server for
another project they check by themselves.

The server is started as editors start it (`layerlint server` over stdio, initialised with the
project as its workspace folder); XDG_RUNTIME_DIR points into the test's temporary directory, so
its socket is made nowhere else. Which way a plugin went is read from its debug log line.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from integration_helpers import _FLAKE8_LINE, _PYLINT_LINE, EXPECTED, copy_catalog, parse
from layerlint import channel
from layerlint.core.config import load_config

PRODUCTS = "app/api/routers/products.py"
DRAFTS = "app/api/routers/drafts.py"
WAIT = 60.0  # seconds: a loaded machine is slow, a hung server must still fail the test
ANSWERED, CHECKED_HERE = "answered by the server", "checked here"
# flake8 and pylint as their users run them, with logging on so the plugin's debug line shows which way it went.
LOGGING = "import logging; logging.basicConfig(level=logging.DEBUG); "
FLAKE8 = [LOGGING + "from flake8.main.cli import main; main()", "--select", "LL"]
PYLINT = [LOGGING + "from pylint import run_pylint; run_pylint()", "--load-plugins=layerlint.pylint_plugin",
          "--disable=all", "--enable=layerlint", "--score=n"]

pytestmark = pytest.mark.slow  # starts a language server and loads a project in it (~5 s)


class Server:
    """`layerlint server` on stdio, spoken to with just enough of the protocol to start and stop it."""

    def __init__(self, root: Path, client: int | None = None) -> None:
        """`client`: the pid the server is told is its client's (default: this process)."""
        self.process = subprocess.Popen([sys.executable, "-m", "layerlint", "server"], cwd=root,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.request(1, "initialize", {"processId": client or os.getpid(), "rootUri": root.as_uri(),
                                       "capabilities": {},
                                       "workspaceFolders": [{"uri": root.as_uri(), "name": "catalog"}]})
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def request(self, number: int, method: str, params: dict[str, Any] | None) -> None:
        """Send a request and read messages up to its response (notifications before it are dropped)."""
        self.send({"jsonrpc": "2.0", "id": number, "method": method, "params": params})
        assert self.process.stdout is not None
        while True:
            length = 0
            while (header := self.process.stdout.readline().strip()):
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":")[1])
            assert length, "the server closed its output"
            if json.loads(self.process.stdout.read(length)).get("id") == number:
                return

    def stop(self) -> None:
        self.request(2, "shutdown", None)
        self.send({"jsonrpc": "2.0", "method": "exit"})
        self.process.wait(WAIT)


@pytest.fixture
def runtime(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A runtime directory of the test's own, short enough for a socket's path."""
    directory = tmp_path_factory.mktemp("run")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(directory))
    return directory


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path)


@pytest.fixture
def server(catalog: Path, runtime: Path) -> Iterator[Server]:
    """A server for `catalog` that answers the plugins; a stale socket from a dead one is in its place first."""
    stale = socket.socket(socket.AF_UNIX)
    address = channel.socket_path(catalog)
    address.parent.mkdir(mode=0o700)
    stale.bind(str(address))
    stale.close()  # the file stays, nobody listens
    started = Server(catalog)
    answered(catalog, started.process)
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.process.wait()


def answered(root: Path, process: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until the server for `root` answers a plugin (the project loaded)."""
    config = load_config(root)
    deadline = time.monotonic() + WAIT
    while channel.ask(config, PRODUCTS, (root / PRODUCTS).read_bytes()) is None:
        assert time.monotonic() < deadline and (process is None or process.poll() is None), "the server never answered"
        time.sleep(0.1)
        channel.unanswered.clear()  # a plugin gives up on a server for its run; this test asks again


def flake8(root: Path, *args: str, stdin: bytes | None = None) -> tuple[set[tuple[str, int, str]], str]:
    """flake8's findings and which way the plugin went for each file (its log lines)."""
    completed = _logged(root, FLAKE8, args, stdin)
    assert completed.returncode in (0, 1), completed.stderr
    return parse(completed.stdout, _FLAKE8_LINE), _plugin_log(completed)


def pylint(root: Path, *args: str, stdin: bytes | None = None) -> tuple[set[tuple[str, int, str]], str]:
    completed = _logged(root, PYLINT, args, stdin)
    assert "Traceback" not in completed.stderr + completed.stdout, completed.stderr + completed.stdout
    return parse(completed.stdout, _PYLINT_LINE), _plugin_log(completed)


def _logged(root: Path, command: list[str], args: tuple[str, ...], stdin: bytes | None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", *command, *args], cwd=root, input=stdin.decode() if stdin else None,
                          capture_output=True, text=True, timeout=120)


def _plugin_log(completed: subprocess.CompletedProcess[str]) -> str:
    return "\n".join(line for line in completed.stderr.splitlines() if "layerlint: " in line)


def test_flake8_is_answered_by_the_server_with_the_same_findings(catalog: Path, server: Server) -> None:
    found, log = flake8(catalog, "app")
    assert found == EXPECTED
    assert log.count(ANSWERED) == len(list((catalog / "app").rglob("*.py"))) and CHECKED_HERE not in log
    # An unsaved buffer: drafts.py's text is now the products code
    buffer = (catalog / PRODUCTS).read_bytes()
    found, log = flake8(catalog, "--stdin-display-name", DRAFTS, "-", stdin=buffer)
    assert found == {(DRAFTS, 3, "LL101"), (DRAFTS, 6, "LL207"), (DRAFTS, 10, "LL201")} and ANSWERED in log
    # A file longer than a stream's default line limit (64 KiB), as a real service module is
    found, log = flake8(catalog, "--stdin-display-name", DRAFTS, "-", stdin=buffer + b"# padding\n" * 10_000)
    assert found == {(DRAFTS, 3, "LL101"), (DRAFTS, 6, "LL207"), (DRAFTS, 10, "LL201")} and ANSWERED in log


def test_pylint_is_answered_by_the_server_with_the_same_findings(catalog: Path, server: Server) -> None:
    found, log = pylint(catalog, "app")
    assert found == EXPECTED and ANSWERED in log and CHECKED_HERE not in log
    buffer = (catalog / PRODUCTS).read_bytes()
    found, log = pylint(catalog, "--from-stdin", DRAFTS, stdin=buffer)
    assert found == {(DRAFTS, 3, "LL101"), (DRAFTS, 6, "LL207"), (DRAFTS, 10, "LL201")} and ANSWERED in log


def test_the_server_removes_its_socket_when_it_stops(catalog: Path, server: Server) -> None:
    assert channel.socket_path(catalog).exists()
    server.stop()
    assert not channel.socket_path(catalog).exists()
    found, log = flake8(catalog, "app")
    assert found == EXPECTED and ANSWERED not in log and CHECKED_HERE in log


def test_a_stale_socket_and_no_server_fall_back(catalog: Path, runtime: Path) -> None:
    address = channel.socket_path(catalog)
    address.parent.mkdir(mode=0o700)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(address))
    stale.close()
    found, log = flake8(catalog, "app")
    assert found == EXPECTED and ANSWERED not in log and CHECKED_HERE in log


def test_a_server_for_another_project_or_configuration_is_not_asked(tmp_path: Path, catalog: Path,
                                                                    server: Server) -> None:
    other = copy_catalog(tmp_path / "other")
    channel.socket_path(other).symlink_to(channel.socket_path(catalog))  # the other root's socket reaches this server
    config = load_config(catalog)
    data = (catalog / PRODUCTS).read_bytes()
    assert channel.ask(load_config(other), PRODUCTS, data) is None  # "not mine": another root
    assert channel.ask(replace(config, ignore=("LL2",)), PRODUCTS, data) is None  # another configuration
    assert channel.ask(config, PRODUCTS, data) is not None
    found, log = flake8(other, "app")
    assert found == EXPECTED and ANSWERED not in log and CHECKED_HERE in log


def test_a_runtime_directory_others_can_write_to_is_not_used(catalog: Path, server: Server) -> None:
    config, data = load_config(catalog), (catalog / PRODUCTS).read_bytes()
    channel.socket_path(catalog).parent.chmod(0o777)  # another user could have put that socket there
    assert channel.ask(config, PRODUCTS, data) is None
    channel.socket_path(catalog).parent.chmod(0o700)
    assert channel.ask(config, PRODUCTS, data) is not None


# ---------------------------------------------------------------------------- the server's lifetime

EDITOR = Path(__file__).parent / "editor_stand_in.py"
ENDED_WITHIN = 10.0  # seconds for a server to be gone after its client (it watches every second)


def _children(pid: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:  # ended meanwhile
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.add(int(status.parent.name))
    return found


def _ended(pid: int) -> bool:
    """Gone, or a zombie nobody reaps yet (it holds nothing)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _all_ended(pids: set[int]) -> bool:
    deadline = time.monotonic() + ENDED_WITHIN
    while not all(map(_ended, pids)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def big_catalog(catalog: Path) -> Path:
    """The catalog with enough modules that the server's first load forks parse workers (two
    shards of the facts cache, see cache/fact_shards.py)."""
    package = catalog / "app" / "domain" / "generated"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for number in range(520):
        (package / f"module_{number}.py").write_text(f"def value_{number}() -> int:\n    return {number}\n")
    return catalog


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads processes from /proc")
def test_the_server_and_its_workers_end_when_the_editor_is_killed(big_catalog: Path, runtime: Path) -> None:
    editor = subprocess.Popen([sys.executable, str(EDITOR), str(big_catalog)], stdout=subprocess.PIPE)
    try:
        assert editor.stdout is not None
        server = int(editor.stdout.readline())
        seen, config = {server}, load_config(big_catalog)
        data, deadline = (big_catalog / PRODUCTS).read_bytes(), time.monotonic() + WAIT
        # Until the project is loaded, noting the workers it forks (a worker stuck at its start
        # was what outlived the server)
        while not (seen - {server} and len(seen) > 2) and channel.ask(config, PRODUCTS, data) is None:
            assert time.monotonic() < deadline, "the server neither loaded the project nor forked workers"
            seen |= _children(server)
            channel.unanswered.clear()
        editor.kill()
        editor.wait()
        assert _all_ended(seen), f"still running after the editor was killed: {[p for p in seen if not _ended(p)]}"
        assert not channel.socket_path(big_catalog).exists()
    finally:
        editor.kill()
        editor.wait()


def test_sigterm_ends_the_server_and_removes_its_socket(catalog: Path, server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(WAIT) == 128 + signal.SIGTERM  # as a shell reports it
    assert not channel.socket_path(catalog).exists()


def test_the_server_ends_when_its_clients_process_is_gone(catalog: Path, runtime: Path) -> None:
    """The pipes stay open (this process holds them), but the process the server was told is its
    client ends: the server ends too, as when an editor's child holds the pipes of a dead editor."""
    client = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    started = Server(catalog, client=client.pid)
    try:
        answered(catalog, started.process)
        client.kill()
        client.wait()
        started.process.wait(ENDED_WITHIN)
        assert not channel.socket_path(catalog).exists()
    finally:
        client.kill()
        started.process.kill()
        started.process.wait()


@pytest.fixture
def unanswered_socket(catalog: Path, runtime: Path) -> Iterator[socket.socket]:
    """A socket at the server's address that accepts connections and never answers (a hung
    process, or a stray child of a dead server holding it)."""
    address = channel.socket_path(catalog)
    address.parent.mkdir(mode=0o700)
    hung = socket.socket(socket.AF_UNIX)
    hung.bind(str(address))
    hung.listen()
    yield hung
    hung.close()


def test_a_plugin_facing_a_server_that_does_not_answer_falls_back_quickly(
        catalog: Path, unanswered_socket: socket.socket) -> None:
    config, data = load_config(catalog), (catalog / PRODUCTS).read_bytes()
    started = time.monotonic()
    assert channel.ask(config, PRODUCTS, data) is None
    assert time.monotonic() - started < channel.ANSWER_TIMEOUT  # gave up at the missing "accepted"
    assert channel.ask(config, DRAFTS, data) is None  # not asked again in this run
    found, log = flake8(catalog, "app")
    assert found == EXPECTED and ANSWERED not in log and CHECKED_HERE in log


def test_a_server_takes_over_a_socket_nobody_answers_on(catalog: Path, unanswered_socket: socket.socket) -> None:
    started = Server(catalog)
    try:
        answered(catalog, started.process)
        found, log = flake8(catalog, "app")
        assert found == EXPECTED and ANSWERED in log
    finally:
        started.process.kill()
        started.process.wait()
