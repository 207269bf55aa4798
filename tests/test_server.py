"""`layerlint server`, driven headlessly by pytest-lsp as a real client over stdio.

Each test starts the server on a copy of tests/fixtures/server/chain (a router, a service, a
repository and a helper module; only the layer rules selected), opens documents and edits them
unsaved, and waits for what the server publishes.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from layerlint.core.noqa import line_with_noqa

CHAIN = Path(__file__).parent / "fixtures" / "server" / "chain"
ROUTER = "app/api/v1/routers/orders.py"
LOOKUP = "app/utils/lookup.py"
SERVICE_IMPORT = "from app.domain.orders.service import OrderService\n"
REPOSITORY_IMPORT = "from app.domain.orders.repository import OrderRepository\n"
FIX_ALL = "source.fixAll.layerlint"
WAIT = 60.0  # seconds: a loaded CI machine is slow, a hung server must still fail the test

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "layerlint", "server"])


class Session:
    """A started server on a copy of the fixture, and the documents the client opened."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client, self.root = client, root
        self.versions: dict[str, int] = {}
        self.registrations: list[types.Registration] = []

    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()

    def text(self, relative: str) -> str:
        return (self.root / relative).read_text()

    def open(self, relative: str, text: str | None = None) -> None:
        self.versions[relative] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=self.uri(relative), language_id="python", version=1,
            text=self.text(relative) if text is None else text)))

    def edit(self, relative: str, text: str) -> None:
        """Replace the document's whole text, unsaved."""
        self.versions[relative] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=self.uri(relative), version=self.versions[relative]),
            [types.TextDocumentContentChangeWholeDocument(text=text)]))

    async def diagnostics(self, relative: str, wanted: Callable[[Sequence[types.Diagnostic]], bool]
                          ) -> list[types.Diagnostic]:
        """The document's diagnostics once the server has published ones `wanted` accepts."""
        async def published() -> list[types.Diagnostic]:
            while True:
                found = self.client.diagnostics.get(self.uri(relative))
                if found is not None and wanted(found):
                    return list(found)
                await self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

        return await asyncio.wait_for(published(), WAIT)


def span(line: int, start: int, end: int) -> types.Range:
    return types.Range(start=types.Position(line=line, character=start), end=types.Position(line=line, character=end))


def at(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def codes(diagnostics: Sequence[types.Diagnostic]) -> list[Any]:
    return [d.code for d in diagnostics]


def capabilities(*, watched_files: bool, resolves: bool = False) -> types.ClientCapabilities:
    resolve = types.ClientCodeActionResolveOptions(properties=["edit"]) if resolves else None
    return types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=watched_files)),
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(resolve_support=resolve)))


async def start(client: LanguageClient, root: Path, *, watched_files: bool = True, resolves: bool = False) -> Session:
    session = Session(client, root)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        session.registrations += params.registrations

    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities(watched_files=watched_files, resolves=resolves), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="chain")]))
    return session


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def project(copy_of: Callable[[Path], Path]) -> Path:
    return copy_of(CHAIN)


@pytest.mark.asyncio
async def test_an_unsaved_fix_clears_the_diagnostic(client: LanguageClient, project: Path) -> None:
    session = await start(client, project)
    session.open(ROUTER)
    found = await session.diagnostics(ROUTER, lambda found: bool(found))
    assert len(found) == 1
    diagnostic = found[0]
    assert diagnostic.code == "LL101" and diagnostic.source == "layerlint"
    assert diagnostic.message.startswith("router imports repository `OrderRepository`")
    assert diagnostic.range == span(0, 0, len(REPOSITORY_IMPORT) - 1)
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href.endswith("#ll101-router-imports-repository")

    session.edit(ROUTER, session.text(ROUTER).replace(REPOSITORY_IMPORT, SERVICE_IMPORT))
    assert await session.diagnostics(ROUTER, lambda found: not found) == []


@pytest.mark.asyncio
async def test_an_edit_in_another_module_gives_this_one_a_finding(client: LanguageClient, project: Path) -> None:
    session = await start(client, project)
    session.open(ROUTER, session.text(ROUTER).replace(REPOSITORY_IMPORT, SERVICE_IMPORT))
    session.open(LOOKUP)
    await session.diagnostics(ROUTER, lambda found: not found)

    session.edit(LOOKUP, REPOSITORY_IMPORT + session.text(LOOKUP))  # unsaved: the disk still has no chain
    found = await session.diagnostics(ROUTER, lambda found: bool(found))
    assert codes(found) == ["LL102"]
    assert found[0].range.start == at(1, 0)  # `from app.utils.lookup import find_order`
    assert "app.utils.lookup:1 -> app.domain.orders.repository" in found[0].message
    assert await session.diagnostics(LOOKUP, lambda found: True) == []


@pytest.mark.asyncio
async def test_hover_shows_the_rules_docs_and_the_action_adds_noqa(client: LanguageClient, project: Path) -> None:
    session = await start(client, project)
    session.open(ROUTER)
    diagnostic = (await session.diagnostics(ROUTER, lambda found: bool(found)))[0]
    uri = types.TextDocumentIdentifier(uri=session.uri(ROUTER))

    hover = await client.text_document_hover_async(types.HoverParams(text_document=uri, position=at(0, 10)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("# LL101 router-imports-repository")
    assert "## Why is this bad?" in hover.contents.value
    assert await client.text_document_hover_async(types.HoverParams(text_document=uri, position=at(2, 0))) is None

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=uri, range=diagnostic.range, context=types.CodeActionContext(diagnostics=[diagnostic])))
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction) and action.edit is not None and action.edit.changes is not None
    [edit] = action.edit.changes[session.uri(ROUTER)]
    assert edit.range == span(0, 0, len(REPOSITORY_IMPORT) - 1)
    assert edit.new_text == REPOSITORY_IMPORT.rstrip() + "  # noqa: LL101"

    lines = session.text(ROUTER).splitlines(keepends=True)
    session.edit(ROUTER, "".join([edit.new_text + "\n", *lines[1:]]))
    assert await session.diagnostics(ROUTER, lambda found: not found) == []


@pytest.mark.asyncio
async def test_a_change_on_disk_reported_by_the_client_is_checked(client: LanguageClient, project: Path) -> None:
    session = await start(client, project)
    session.open(ROUTER, session.text(ROUTER).replace(REPOSITORY_IMPORT, SERVICE_IMPORT))
    await session.diagnostics(ROUTER, lambda found: not found)
    assert [r.method for r in session.registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]

    (project / LOOKUP).write_text(REPOSITORY_IMPORT + session.text(LOOKUP))
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=session.uri(LOOKUP), type=types.FileChangeType.Changed)]))
    assert codes(await session.diagnostics(ROUTER, lambda found: bool(found))) == ["LL102"]


@pytest.mark.asyncio
async def test_without_client_file_events_the_server_watches_the_tree(client: LanguageClient, project: Path) -> None:
    session = await start(client, project, watched_files=False)
    session.open(ROUTER, session.text(ROUTER).replace(REPOSITORY_IMPORT, SERVICE_IMPORT))
    await session.diagnostics(ROUTER, lambda found: not found)
    assert session.registrations == []

    await asyncio.sleep(0.3)  # the watcher starts after initialisation; give it time to be watching
    (project / LOOKUP).write_text(REPOSITORY_IMPORT + session.text(LOOKUP))
    assert codes(await session.diagnostics(ROUTER, lambda found: bool(found))) == ["LL102"]


@pytest.mark.asyncio
async def test_a_configuration_error_is_shown_on_the_document(client: LanguageClient, project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('select = ["LL1"]', 'select = ["XX1"]'))
    session = await start(client, project)
    session.open(ROUTER)
    found = await session.diagnostics(ROUTER, lambda found: bool(found))
    assert codes(found) == ["LL000"]
    assert "select" in found[0].message


FIXABLE = "app/utils/format.py"
HANDLERS = "app/api/v1/routers/ping.py"
UNANNOTATED = ("def log(message: str):\n    print(message)\n\n\n"
               "def warn(message: str):\n    print('!', message)\n\n\n"
               "def size(text: str):\n    return len(text)\n")
PING = ("from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        "@router.get('/ping')\ndef ping() -> str:\n    return 'pong'\n")


@pytest.fixture
def fixable(project: Path) -> Path:
    """The chain with a helper module (LL702: two fixable functions, one returning a value) and a
    router with a sync handler (LL201: an unsafe fix); on disk the helper is still empty."""
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('select = ["LL1"]', 'select = ["LL201", "LL702"]'))
    (project / FIXABLE).write_text("")
    (project / HANDLERS).write_text(PING)
    return project


def applied(text: str, edits: Sequence[types.TextEdit]) -> str:
    """`text` with the client's edits applied (ASCII text: code units are characters)."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        return starts[min(position.line, len(starts) - 1)] + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def only_edits(action: types.CodeAction | types.Command, uri: str) -> list[types.TextEdit]:
    assert isinstance(action, types.CodeAction) and action.edit is not None and action.edit.changes is not None
    assert list(action.edit.changes) == [uri]
    return list(action.edit.changes[uri])


async def actions_for(client: LanguageClient, session: Session, relative: str, diagnostics: list[types.Diagnostic],
                      only: list[str] | None = None) -> list[types.CodeAction | types.Command]:
    whole = types.Range(start=at(0, 0), end=at(100, 0))
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=session.uri(relative)), range=whole,
        context=types.CodeActionContext(diagnostics=diagnostics, only=only)))
    return list(found or [])


@pytest.mark.asyncio
async def test_a_findings_fix_is_a_quick_fix_on_the_unsaved_buffer(client: LanguageClient, fixable: Path) -> None:
    session = await start(client, fixable)
    session.open(FIXABLE, UNANNOTATED)  # unsaved: the file on disk is empty
    found = await session.diagnostics(FIXABLE, lambda found: len(found) == 3)
    log = found[0]
    assert log.code == "LL702" and log.range.start.line == 0

    actions = await actions_for(client, session, FIXABLE, [log])
    titles = [a.title for a in actions]
    assert titles == ["Fix LL702: Add return type annotation: `None`", "Suppress LL702 on this line (# noqa: LL702)",
                      "layerlint: Fix all auto-fixable problems"]
    fix = actions[0]
    assert isinstance(fix, types.CodeAction) and fix.is_preferred and fix.kind == types.CodeActionKind.QuickFix
    fixed = applied(UNANNOTATED, only_edits(fix, session.uri(FIXABLE)))
    assert fixed == UNANNOTATED.replace("log(message: str):", "log(message: str) -> None:", 1)

    session.edit(FIXABLE, fixed)
    left = await session.diagnostics(FIXABLE, lambda found: len(found) == 2)
    assert [d.range.start.line for d in left] == [4, 8]
    size = left[1]  # returns a value: no fix to offer, only noqa
    assert [a.title for a in await actions_for(client, session, FIXABLE, [size])] == [
        "Suppress LL702 on this line (# noqa: LL702)", "layerlint: Fix all auto-fixable problems"]


@pytest.mark.asyncio
async def test_an_unsafe_fix_says_so_and_is_not_preferred(client: LanguageClient, fixable: Path) -> None:
    session = await start(client, fixable)
    session.open(HANDLERS)
    [finding] = await session.diagnostics(HANDLERS, lambda found: bool(found))
    assert finding.code == "LL201"

    actions = await actions_for(client, session, HANDLERS, [finding])
    fix = actions[0]
    assert isinstance(fix, types.CodeAction) and fix.title.startswith("Fix LL201: ") and fix.title.endswith("(unsafe)")
    assert not fix.is_preferred
    assert FIX_ALL not in [a.kind for a in actions if isinstance(a, types.CodeAction)]  # no safe fix to apply
    session.edit(HANDLERS, applied(PING, only_edits(fix, session.uri(HANDLERS))))
    assert await session.diagnostics(HANDLERS, lambda found: not found) == []


@pytest.mark.asyncio
@pytest.mark.parametrize("resolves", [False, True])
async def test_fix_all_applies_every_safe_fix_of_the_buffer(client: LanguageClient, fixable: Path,
                                                            resolves: bool) -> None:
    """`source.fixAll.layerlint`, asked for by kind (on save) or offered beside the quick fixes
    (its edit computed when picked, by a client that resolves actions)."""
    session = await start(client, fixable, resolves=resolves)
    session.open(FIXABLE, UNANNOTATED)
    found = await session.diagnostics(FIXABLE, lambda found: len(found) == 3)

    [asked] = await actions_for(client, session, FIXABLE, [], only=[types.CodeActionKind.SourceFixAll])
    [offered] = [a for a in await actions_for(client, session, FIXABLE, found[:1]) if a.title.startswith("layerlint:")]
    assert isinstance(offered, types.CodeAction) and offered.kind == FIX_ALL
    if resolves:
        assert offered.edit is None
        offered = await client.code_action_resolve_async(offered)
    for action in (asked, offered):
        assert isinstance(action, types.CodeAction) and action.kind == FIX_ALL
        fixed = applied(UNANNOTATED, only_edits(action, session.uri(FIXABLE)))
        assert fixed == UNANNOTATED.replace("str):\n    print", "str) -> None:\n    print")

    session.edit(FIXABLE, fixed)
    assert [d.range.start.line for d in await session.diagnostics(FIXABLE, lambda found: len(found) == 1)] == [8]


def test_noqa_is_added_or_merged() -> None:
    assert line_with_noqa("import x", "LL101") == "import x  # noqa: LL101"
    assert line_with_noqa("import x  # noqa: E501", "LL101") == "import x  # noqa: E501, LL101"
    assert line_with_noqa("import x  # noqa:E501,W291  why", "LL101") == "import x  # noqa: E501, W291, LL101 why"
    assert line_with_noqa("import x  # type: ignore", "LL101") == "import x  # type: ignore  # noqa: LL101"
    assert line_with_noqa("import x  # noqa", "LL101") is None
    assert line_with_noqa("import x  # noqa: LL1", "LL101") is None


def test_the_server_command_names_the_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from layerlint.cli import main

    monkeypatch.setitem(sys.modules, "pygls", None)  # an import of it fails, as when not installed
    monkeypatch.delitem(sys.modules, "layerlint.integrations.lsp", raising=False)
    result = CliRunner().invoke(main, ["server"])
    assert result.exit_code == 2
    assert "pip install 'layerlint[server]'" in result.output


FORKED_TWICE = """
import os, sys
from layerlint.integrations import lsp
from layerlint.project.reading.parsing import ParsedModule, parse_source

lsp._forks_end_with_their_parent(lsp.parent_death_signal())  # as `layerlint server` starts
worker = os.fork()  # a parse worker; its parse forks again to lower the newer grammar
if worker == 0:
    parsed = parse_source("try:\\n    pass\\nexcept ValueError, TypeError:\\n    pass\\n")
    os._exit(0 if isinstance(parsed, ParsedModule) and parsed.lowered else 3)
_, status = os.waitpid(worker, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the server's fork hooks exist where processes fork")
def test_a_parse_worker_of_the_server_can_lower_newer_grammar() -> None:
    # The server's fork hook ended every process whose parent was not the server itself, so the
    # child a parse worker forks to lower `except A, B:` died and the CLI's parsable file was
    # LL001 in the editor (found on polar's checkout service).
    completed = subprocess.run([sys.executable, "-c", FORKED_TWICE], capture_output=True, text=True, timeout=WAIT)
    assert completed.returncode == 0, completed.stderr
