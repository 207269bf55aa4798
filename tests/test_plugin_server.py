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

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "layerlint", "server"], cwd=root,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.request(1, "initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {},
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
    config = load_config(catalog)
    deadline = time.monotonic() + WAIT
    while channel.ask(config, PRODUCTS, (catalog / PRODUCTS).read_bytes()) is None:
        assert time.monotonic() < deadline and started.process.poll() is None, "the server never answered"
        time.sleep(0.1)
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.process.wait()


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
