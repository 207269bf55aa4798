#!/usr/bin/env python3
"""Benchmark `layerlint server` on a project (issue 15's language-server targets).

    python benchmarks/server.py --path /tmp/polar-server --edit polar/product/service.py \\
        --open polar/product/endpoints.py --open polar/checkout/service.py

Runs on the tree given (copy a checkout first: the cache is written there, nothing else is).
Prints, each beside its target:
- cold: `layerlint check --no-cache` wall time and peak RSS (the largest process of its tree);
- the server's first check after opening the documents;
- after each unsaved edit of `--edit` (a function added at the end, a line inserted at the top):
  the time from didChange to publishDiagnostics for the edited buffer, and to the end of the
  check, after which every open document's diagnostics are published (the server logs it);
- the server's resident memory and peak after the edits;
- with `--flake8`: flake8 on the edited file saved with a function added, while the server runs
  (the plugin asks it), against flake8 with layerlint's plugin hidden (bench.py's way).
Needs the `server` and `test` extras (pygls).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from bench import flake8_commands

TARGET_BUFFER, TARGET_ALL, TARGET_MEMORY, TARGET_FLAKE8_MS = 0.3, 1.0, 2.0, 150
SETTLE = 1.0  # seconds without a check that count as the server being idle


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("layerlint-bench", "0")
        self.published: dict[str, float] = {}  # uri -> when last published
        self.checked: asyncio.Queue[float] = asyncio.Queue()


def client() -> Client:
    bench = Client()

    @bench.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        bench.published[params.uri] = time.perf_counter()

    @bench.feature(types.WINDOW_LOG_MESSAGE)
    def logged(params: types.LogMessageParams) -> None:
        if params.message.startswith("layerlint: checked"):
            bench.checked.put_nowait(time.perf_counter())

    @bench.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    return bench


def cold_run(root: Path) -> tuple[float, float]:
    """Wall seconds and peak MiB of a cold `layerlint check --no-cache` (its largest process)."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "layerlint", "check", "--no-cache", "--exit-zero", "."],
                               cwd=root, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the rule and parse workers
    return time.perf_counter() - start, max(usage.ru_maxrss, children) / 1024


def memory(pid: int) -> tuple[float, float]:
    """The server's resident and peak resident MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def settled(bench: Client) -> None:
    """Wait until the server has been idle for a moment (a check the watcher started after a save
    ends), then forget the checks logged so far: the next `checked` is the next change's."""
    while True:
        try:
            await asyncio.wait_for(bench.checked.get(), SETTLE)
        except asyncio.TimeoutError:
            return


async def wall_time(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    process = await asyncio.create_subprocess_exec(*argv, cwd=cwd, stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.DEVNULL)
    await process.wait()
    return time.perf_counter() - start


async def flake8_beside_the_server(bench: Client, root: Path, edited: str, version: int) -> None:
    """flake8 on the edited file as an editor runs it on save: the buffer's text was sent to the
    server (didChange) and saved; the plugin asks the server. Against flake8 with no plugin."""
    with_plugin, without_plugin = flake8_commands(root / edited, root)
    path, original = root / edited, (root / edited).read_bytes()
    try:
        for repetition in range(3):
            text = original.decode() + f"\n\ndef layerlint_saved_{repetition}(value):\n    return value\n"
            version += 1
            await settled(bench)
            bench.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
            await bench.checked.get()
            path.write_text(text)
            bench.text_document_did_save(types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=path.as_uri())))
            await asyncio.sleep(0.05)  # an editor's flake8 starts after the save's events are sent
            asked = await wall_time(with_plugin, root)
            alone = await wall_time(without_plugin, root)
            print(f"flake8 on the saved file #{repetition + 1}: {asked:.2f} s with the plugin (server running), "
                  f"{alone:.2f} s without: +{(asked - alone) * 1000:.0f} ms (target +{TARGET_FLAKE8_MS} ms)")
    finally:
        path.write_bytes(original)


async def serve(root: Path, edited: str, others: list[str], cold_peak: float, flake8: bool) -> None:
    bench = client()
    await bench.start_io(sys.executable, "-m", "layerlint", "server")
    await bench.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)]))
    bench.initialized(types.InitializedParams())
    texts = {relative: (root / relative).read_text() for relative in [edited, *others]}
    start = time.perf_counter()
    for relative, text in texts.items():
        bench.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=(root / relative).as_uri(), language_id="python", version=1, text=text)))
    print(f"server: first check of {len(texts)} open documents {await bench.checked.get() - start:.2f} s")
    uri, text, version = (root / edited).as_uri(), texts[edited], 1
    edits = [("function added at the end", lambda n: f"{text}\n\ndef layerlint_bench_{n}(value):\n    return value\n"),
             ("line inserted at the top", lambda n: f"import layerlint_bench_{n}\n{text}")]
    for label, edit in edits:
        for repetition in range(3):
            version += 1
            await settled(bench)
            bench.published.pop(uri, None)
            start = time.perf_counter()
            bench.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=edit(version))]))
            ended = await bench.checked.get()
            buffer = bench.published.get(uri)
            shown = f"{buffer - start:.2f} s" if buffer is not None else "unchanged, not published"
            print(f"{label} #{repetition + 1}: edited buffer {shown} (target {TARGET_BUFFER} s), "
                  f"every open document {ended - start:.2f} s (target {TARGET_ALL} s)")
    if flake8:
        await flake8_beside_the_server(bench, root, edited, version)
    assert bench._server is not None
    resident, peak = memory(bench._server.pid)
    print(f"server memory: {resident:.0f} MiB resident, {peak:.0f} MiB peak; cold run peak {cold_peak:.0f} MiB: "
          f"{peak / cold_peak:.2f}x (target {TARGET_MEMORY}x)")
    await bench.shutdown_async(None)
    bench.exit(None)
    await bench.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", type=Path, required=True, help="the project root (a copy: the cache is written)")
    parser.add_argument("--edit", required=True, help="root-relative module edited, unsaved")
    parser.add_argument("--open", action="append", default=[], help="other root-relative documents kept open")
    parser.add_argument("--cold-peak", type=float, help="MiB of a cold run measured before: skip the cold run")
    parser.add_argument("--flake8", action="store_true", help="also time flake8 on the saved file, server running")
    arguments = parser.parse_args()
    root = arguments.path.resolve()
    if arguments.cold_peak:
        asyncio.run(serve(root, arguments.edit, arguments.open, arguments.cold_peak, arguments.flake8))
        return
    seconds, peak = cold_run(root)
    print(f"cold `layerlint check --no-cache`: {seconds:.2f} s, peak {peak:.0f} MiB")
    asyncio.run(serve(root, arguments.edit, arguments.open, peak, arguments.flake8))


if __name__ == "__main__":
    main()
