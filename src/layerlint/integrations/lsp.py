"""`layerlint server`: a language server over stdio (pygls), translating between the protocol and
`live.LiveProject`, which holds each project in memory and finds what to report.

Each open document belongs to the project whose `pyproject.toml` is nearest above it, read with
the same `[tool.layerlint]` as the CLI. An edit is checked once the editor has been quiet for
`DEBOUNCE` seconds; the check runs in a thread, and edits made meanwhile are checked right after
it. Diagnostics are published for every open document of the project (an edit in one module can
give another a finding, LL102's import chains), and only where they changed.

Disk changes arrive as `workspace/didChangeWatchedFiles` when the client registers for them; a
client that cannot is watched with watchfiles instead. A changed pyproject.toml starts its
project afresh.

The server ends with its client, and leaves nothing behind: at `exit`, when its input closes
(the editor gone), when the process that started it (`processId`) is gone, at SIGTERM or SIGHUP.
It then removes its sockets and ends at once, without waiting for a check under way (checks run
in daemon threads); the processes it forks (parse workers) die with it. The protocol is spoken
on the client's pipes duplicated to descriptors of their own, and descriptors 0 and 1 point at
/dev/null and stderr: a forked child closes `sys.stdin` first thing (multiprocessing does), which
with the client's pipe would wait forever on the lock of the thread that reads it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import FrameType
from typing import BinaryIO, NoReturn

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from layerlint import __version__
from layerlint.channel import Listener
from layerlint.core.config import Config, ConfigError, load_config
from layerlint.core.diagnostic import Diagnostic, Severity
from layerlint.core.fix import Applicability, Edit, edits_between
from layerlint.core.noqa import line_with_noqa
from layerlint.core.processes import parent_death_signal
from layerlint.core.records import field, record
from layerlint.core.roots import user_path
from layerlint.fixing import fix_all_in_buffer, fixes_in_buffer
from layerlint.integrations.background import in_thread
from layerlint.integrations.plugin_answers import plugin_answers
from layerlint.live import LiveProject
from layerlint.rules import RULES_BY_CODE

# Seconds of quiet before an edit that follows another within this time is checked; an edit
# after a pause is checked at once (as Neovim's client debounces, its PR #16881: the wait only
# groups the keystrokes of a burst, and clients such as Neovim debounce their changes already).
DEBOUNCE = 0.15
CLIENT_WATCH = 1.0  # seconds between looks at whether the client's process is still there
SOURCE = "layerlint"
CONFIG_ERROR_CODE = "LL000"  # as in the flake8 plugin: the configuration, not a rule
WATCHED = ("**/*.py", "**/pyproject.toml")
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.layerlint"  # as ruff's source.fixAll.ruff, for on-save
FIX_ALL_TITLE = "layerlint: Fix all auto-fixable problems"
SEVERITIES = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
              Severity.CONVENTION: types.DiagnosticSeverity.Information}

log = logging.getLogger(__name__)


@record
class _Checks:
    """Which projects wait for a check, and the one scheduled or running."""

    waiting: set[LiveProject] = field(default_factory=set)
    timer: asyncio.TimerHandle | None = None
    running: asyncio.Task[None] | None = None
    last: float = float("-inf")  # the event loop's time of the last change scheduled


class LayerlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("layerlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.projects: dict[Config, LiveProject] = {}
        self._configs: dict[Path, Config | ConfigError] = {}
        self._published: dict[str, list[types.Diagnostic]] = {}  # by document uri
        self._checks = _Checks()
        self.watcher: asyncio.Task[None] | None = None  # watchfiles, when the client reports no disk changes
        self.client_watch: asyncio.Task[None] | None = None  # the client's process, when it names one
        self.plugins = Listener(plugin_answers(self.projects.values))  # flake8's and pylint's questions
        self.shut_down = False  # the client asked for `shutdown` (then `exit` ends with 0)
        self.pid = os.getpid()  # the server's own: a forked child is not the server

    def shutdown(self) -> None:
        self.plugins.close()  # the sockets go with the server
        super().shutdown()  # type: ignore[no-untyped-call]  # pygls does not annotate it

    def end(self, code: int) -> NoReturn:
        """End the server now: its sockets removed, its child processes killed, nothing waited for."""
        self.plugins.remove_files()
        if "multiprocessing" in sys.modules:  # the parse workers, if a load is under way
            import multiprocessing

            for child in multiprocessing.active_children():
                child.kill()
        os._exit(code)

    async def watch_client(self, pid: int) -> None:
        """End the server once the client's process is gone (its pipes may outlive it, held by a
        child of it), as pylsp and pyright do; a process this one cannot see at all (another pid
        namespace, a container) is not watched."""
        if not _alive(pid):
            log.info("layerlint: the client's process %d is not visible here: not watched", pid)
            return
        while _alive(pid):
            await asyncio.sleep(CLIENT_WATCH)
        log.info("layerlint: the client's process %d is gone: ending", pid)
        self.end(1)

    # ------------------------------------------------------------------ documents and projects

    def project_of(self, uri: str) -> LiveProject | ConfigError | None:
        """The project a document belongs to; None for a document that is no file."""
        path = _path_of(uri)
        return None if path is None else self.project_at(path.parent)

    def project_at(self, directory: Path) -> LiveProject | ConfigError:
        """The project the files in `directory` belong to."""
        config = self._configs.get(directory)
        if config is None:
            try:
                config = load_config(directory)
            except ConfigError as error:
                config = error
            self._configs[directory] = config
        if isinstance(config, ConfigError):
            return config
        if config not in self.projects:
            self.projects[config] = LiveProject(config)
            self.plugins.start(config.root)
        return self.projects[config]

    def document_in_project(self, document: TextDocument) -> tuple[LiveProject, str] | None:
        """The project of an open document and its root-relative path; None outside any."""
        project, path = self.project_of(document.uri), _path_of(document.uri)
        relative = project.relative(path) if isinstance(project, LiveProject) and path is not None else None
        return (project, relative) if isinstance(project, LiveProject) and relative is not None else None

    def open_documents(self, project: LiveProject) -> dict[str, TextDocument]:
        """The open documents of `project`, by root-relative path."""
        found: dict[str, TextDocument] = {}
        for uri, document in self.workspace.text_documents.items():
            path = _path_of(uri)
            if path is not None and self.project_of(uri) is project:
                relative = project.relative(path)
                if relative is not None:
                    found[relative] = document
        return found

    def buffers(self, project: LiveProject) -> dict[str, bytes]:
        """The text of each open document of `project`, by root-relative path."""
        return {relative: document.source.encode("utf-8") for relative, document in self.open_documents(project).items()}

    def forget_configs(self) -> None:
        """A pyproject.toml changed: every project is read afresh when next checked."""
        self._configs.clear()
        self.projects.clear()

    # ------------------------------------------------------------------ checks

    def schedule(self, projects: Iterable[LiveProject]) -> None:
        """Check `projects` now after a pause, else once the editor has been quiet for DEBOUNCE seconds."""
        self._checks.waiting.update(projects)
        if self._checks.timer is not None:
            self._checks.timer.cancel()
        loop = asyncio.get_running_loop()
        now = loop.time()
        burst = now - self._checks.last < DEBOUNCE
        self._checks.last = now
        self._checks.timer = loop.call_later(DEBOUNCE if burst else 0, self._start)

    def _start(self) -> None:
        self._checks.timer = None
        if self._checks.running is None or self._checks.running.done():
            self._checks.running = asyncio.create_task(self._check_waiting())
        # else: the running task takes the waiting projects when its check ends

    async def _check_waiting(self) -> None:
        while self._checks.waiting:
            project = self._checks.waiting.pop()
            if project not in self.projects.values():  # dropped for a new configuration meanwhile
                continue
            buffers = self.buffers(project)
            started = time.perf_counter()
            # The edited buffers first: what the user is looking at is published before the
            # other open documents are checked (findings are computed for the paths asked).
            edited = project.edited(buffers)
            groups = [edited, [relative for relative in buffers if relative not in edited]]
            try:
                await in_thread(project.load)  # also with no document open: the plugins may ask
                for group in filter(None, groups):
                    found = await in_thread(project.findings, buffers, group)
                    self.publish_found(project, found)
            except Exception as error:  # a bug: say so, keep serving the other documents
                log.exception("layerlint: checking %s failed", project.config.root)
                self.window_log_message(types.LogMessageParams(type=types.MessageType.Error,
                                                               message=f"layerlint: checking failed: {error!r}"))
                continue
            # After the publications: the editor's log (and benchmarks/server.py) see when a check ends.
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Log, message=(
                f"layerlint: checked {project.config.root} in {time.perf_counter() - started:.2f} s, "
                f"{len(buffers)} open documents")))

    def publish_found(self, project: LiveProject, found: dict[str, list[Diagnostic]]) -> None:
        """Publish the findings of the paths checked that are still open documents."""
        for relative, document in self.open_documents(project).items():
            if relative in found:
                self.publish(document, [_lsp_diagnostic(d, document) for d in found[relative]])

    def publish(self, document: TextDocument, diagnostics: list[types.Diagnostic]) -> None:
        """Send `diagnostics` for `document` unless they are what the client already shows."""
        if self._published.get(document.uri) == diagnostics:
            return
        self._published[document.uri] = diagnostics
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=document.uri, diagnostics=diagnostics, version=document.version))

    def clear(self, uri: str) -> None:
        if self._published.pop(uri, None):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def published(self, uri: str) -> list[types.Diagnostic]:
        return self._published.get(uri, [])

    def config_error(self, document: TextDocument, error: ConfigError) -> None:
        """Shown on the document's first line, as the flake8 plugin reports it (LL000)."""
        start = types.Position(line=0, character=0)
        self.publish(document, [types.Diagnostic(range=types.Range(start=start, end=start),
                                                 message=f"layerlint configuration error: {error}",
                                                 severity=types.DiagnosticSeverity.Error,
                                                 code=CONFIG_ERROR_CODE, source=SOURCE)])

    # ------------------------------------------------------------------ changes on disk

    def files_changed(self, changes: Iterable[tuple[Path, bool]]) -> None:
        """Files changed on disk, each with whether it was created or deleted."""
        touched: set[LiveProject] = set()
        for path, created_or_deleted in changes:
            if path.name == "pyproject.toml":
                self.forget_configs()
                touched = set()
                for uri in self.workspace.text_documents:
                    project = self.project_of(uri)
                    if isinstance(project, LiveProject):
                        touched.add(project)
                break
            if path.suffix != ".py":
                continue
            for project in self.projects.values():
                relative = project.relative(path)
                if relative is not None:
                    project.files_changed((relative,), created_or_deleted=created_or_deleted)
                    touched.add(project)
        if touched:
            self.schedule(touched)

    async def watch(self, roots: list[Path]) -> None:
        """Follow disk changes under `roots` where the client does not report them."""
        try:
            from watchfiles import Change, awatch
        except ImportError:
            self.window_log_message(types.LogMessageParams(
                type=types.MessageType.Warning, message="layerlint: files changed outside the editor are "
                "not seen (the client sends no file events and watchfiles is not installed)"))
            return
        async for changes in awatch(*roots, debounce=50, step=20):
            self.files_changed((user_path(Path(path)), change is not Change.modified) for change, path in changes)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # there, another user's
        return True
    return True


def _path_of(uri: str) -> Path | None:
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return user_path(Path(path)) if path else None


def _lsp_diagnostic(diagnostic: Diagnostic, document: TextDocument) -> types.Diagnostic:
    """A finding as the protocol has it: 0-based lines, columns in the client's code units."""
    location = diagnostic.location
    span = ServerTextRange(ServerTextPosition(location.line - 1, location.column - 1),
                           ServerTextPosition(location.end_line - 1, location.end_column - 1))
    rule = RULES_BY_CODE.get(diagnostic.code)
    return types.Diagnostic(
        range=document.range_to_client_units(span), message=diagnostic.message,
        severity=SEVERITIES[diagnostic.severity],
        code=diagnostic.code, source=SOURCE,
        code_description=types.CodeDescription(href=rule.help_uri) if rule is not None else None)


def _contains(span: types.Range, position: types.Position) -> bool:
    return ((span.start.line, span.start.character) <= (position.line, position.character)
            <= (span.end.line, span.end.character))


def rule_docs(code: str) -> str | None:
    """The rule's documentation, as `layerlint rule CODE` prints it."""
    from layerlint.rules.docs import severity_line

    found = RULES_BY_CODE.get(code)
    if found is None:
        return None
    return f"# {found.code} {found.name}\n\n{found.summary}.\n\n{severity_line(found)}\n\n{found.docs}"


def noqa_action(document: TextDocument, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    """`# noqa: CODE` on the diagnostic's first line (where noqa is read), merged with one there."""
    line_number, code = diagnostic.range.start.line, diagnostic.code
    if not isinstance(code, str) or code == CONFIG_ERROR_CODE or line_number >= len(document.lines):
        return None
    line = document.lines[line_number].rstrip("\r\n")
    changed = line_with_noqa(line, code)
    if changed is None:
        return None
    end = document.position_to_client_units(ServerTextPosition(line_number, len(line)))
    edit = types.TextEdit(range=types.Range(start=types.Position(line=line_number, character=0), end=end),
                          new_text=changed)
    return types.CodeAction(title=f"Suppress {code} on this line (# noqa: {code})",
                            kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                            edit=types.WorkspaceEdit(changes={document.uri: [edit]}))


def fix_action(document: TextDocument, diagnostic: types.Diagnostic, fixed: Sequence[Diagnostic]
               ) -> types.CodeAction | None:
    """The fix of the finding `diagnostic` shows, when it has one that can be applied (not a
    display-only one): its edits against the buffer's text; safe ones preferred, unsafe ones said so."""
    for finding in fixed:
        fix = finding.fix
        if fix is None or not fix.applies(True) or finding.code != diagnostic.code:
            continue
        if _lsp_diagnostic(finding, document).range != diagnostic.range:
            continue
        safe = fix.applicability is Applicability.SAFE
        title = f"Fix {finding.code}: {fix.message}" + ("" if safe else " (unsafe)")
        edits = [_text_edit(document, edit) for edit in fix.edits]
        return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                                is_preferred=safe, edit=types.WorkspaceEdit(changes={document.uri: edits}))
    return None


def _text_edit(document: TextDocument, edit: Edit) -> types.TextEdit:
    return types.TextEdit(range=types.Range(start=_client_position(document, edit.line, edit.column),
                                            end=_client_position(document, edit.end_line, edit.end_column)),
                          new_text=edit.content)


def _client_position(document: TextDocument, line: int, column: int) -> types.Position:
    """A fix's position (1-based line, column in characters) in the client's code units."""
    if line - 1 >= len(document.lines):  # just past the last line end
        return types.Position(line=line - 1, character=0)
    return document.position_to_client_units(ServerTextPosition(line - 1, column))


server = LayerlintServer()


@server.feature(types.INITIALIZED)
async def initialized(ls: LayerlintServer, params: types.InitializedParams) -> None:
    if ls.process_id is not None:
        ls.client_watch = asyncio.create_task(ls.watch_client(ls.process_id))
    folders = [Path(path) for path in (to_fs_path(folder.uri) for folder in ls.workspace.folders.values()) if path]
    # The folders' projects answer the plugins from the start, loaded now so the first answer is quick.
    ls.schedule(project for project in map(ls.project_at, map(user_path, folders)) if isinstance(project, LiveProject))
    watched = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
    if watched and watched.dynamic_registration:
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED])
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
            id="layerlint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options)]))
        return
    if folders:
        ls.watcher = asyncio.create_task(ls.watch(folders))


def _document_changed(ls: LayerlintServer, uri: str) -> None:
    project = ls.project_of(uri)
    if isinstance(project, ConfigError):
        ls.config_error(ls.workspace.get_text_document(uri), project)
    elif project is not None:
        ls.schedule((project,))


@server.feature(types.SHUTDOWN)
def shutdown(ls: LayerlintServer, params: None) -> None:
    ls.shut_down = True


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LayerlintServer, params: types.DidOpenTextDocumentParams) -> None:
    _document_changed(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LayerlintServer, params: types.DidChangeTextDocumentParams) -> None:
    _document_changed(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: LayerlintServer, params: types.DidSaveTextDocumentParams) -> None:
    # The file is now the buffer: read it again, so the project is right once the document closes.
    path, project = _path_of(params.text_document.uri), ls.project_of(params.text_document.uri)
    relative = project.relative(path) if isinstance(project, LiveProject) and path is not None else None
    if isinstance(project, LiveProject) and relative is not None:
        project.files_changed((relative,))


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: LayerlintServer, params: types.DidCloseTextDocumentParams) -> None:
    # The file on disk takes the buffer's place: the other open documents may change with it.
    ls.clear(params.text_document.uri)
    project = ls.project_of(params.text_document.uri)
    if isinstance(project, LiveProject):
        ls.schedule((project,))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: LayerlintServer, params: types.DidChangeWatchedFilesParams) -> None:
    changes = ((_path_of(change.uri), change.type is not types.FileChangeType.Changed) for change in params.changes)
    ls.files_changed((path, created) for path, created in changes if path is not None)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LayerlintServer, params: types.HoverParams) -> types.Hover | None:
    codes = dict.fromkeys(d.code for d in ls.published(params.text_document.uri)
                          if _contains(d.range, params.position) and isinstance(d.code, str))
    docs = [text for text in map(rule_docs, codes) if text is not None]
    if not docs:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(docs)))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
    code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True))
async def code_action(ls: LayerlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Per diagnostic of ours: its fix (when it has one that can be applied) and `# noqa`; and
    `source.fixAll.layerlint`, every safe fix of the document, when there is one (or when asked
    for by kind, as an editor does on save)."""
    document = ls.workspace.get_text_document(params.text_document.uri)
    only = params.context.only
    ours = [d for d in params.context.diagnostics if d.source == SOURCE]
    target = ls.document_in_project(document)
    actions: list[types.CodeAction] = []
    fixed: list[Diagnostic] = []
    if target is not None and ours and _wanted(only, types.CodeActionKind.QuickFix):
        project, relative = target
        version = document.version
        fixed = await in_thread(fixes_in_buffer, project, relative, ls.buffers(project))
        if document.version == version:  # else the fixes are of a text the editor no longer has
            actions += [action for d in ours if (action := fix_action(document, d, fixed)) is not None]
    if _wanted(only, types.CodeActionKind.QuickFix):
        actions += [action for action in (noqa_action(document, d) for d in ours) if action is not None]
    if target is not None and (only and _wanted(only, FIX_ALL)
                               or any(d.fix is not None and d.fix.applies(False) for d in fixed)):
        action = types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL, data={"uri": document.uri})
        actions.append(action if _resolves_edits(ls) and not only else await _with_all_fixes(ls, action))
    return actions


@server.feature(types.CODE_ACTION_RESOLVE)
async def resolve_code_action(ls: LayerlintServer, action: types.CodeAction) -> types.CodeAction:
    """The edit of `source.fixAll.layerlint`, computed when the editor picks the action."""
    if action.kind == FIX_ALL and action.edit is None:
        return await _with_all_fixes(ls, action)
    return action


async def _with_all_fixes(ls: LayerlintServer, action: types.CodeAction) -> types.CodeAction:
    uri = action.data.get("uri") if isinstance(action.data, dict) else None
    document = ls.workspace.get_text_document(uri) if isinstance(uri, str) else None
    target = ls.document_in_project(document) if document is not None else None
    if document is None or target is None:
        return action
    project, relative = target
    version = document.version
    change = await in_thread(fix_all_in_buffer, project, relative, ls.buffers(project))
    if change is None or document.version != version:
        action.edit = types.WorkspaceEdit(changes={document.uri: []})
        return action
    edits = [_text_edit(document, edit) for edit in edits_between(*change)]
    action.edit = types.WorkspaceEdit(changes={document.uri: edits})
    return action


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a client that asks for the kinds `only` wants actions of `kind` (kinds are
    hierarchical: asking for `source` includes `source.fixAll.layerlint`)."""
    return only is None or any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def _resolves_edits(ls: LayerlintServer) -> bool:
    document = ls.client_capabilities.text_document
    support = document.code_action.resolve_support if document and document.code_action else None
    return support is not None and "edit" in support.properties


def main() -> None:
    """Serve over stdin and stdout until the client says exit or goes away."""
    stdin, stdout = _protocol_streams()
    for ending in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(ending, _ended_by)
    _forks_end_with_their_parent(parent_death_signal())
    try:
        server.start_io(stdin, stdout)
    finally:  # the client said exit, or its pipe closed (pygls returns at end of input)
        server.end(0 if server.shut_down else 1)


def _protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """The client's pipes on descriptors of their own; 0 reads /dev/null and 1 writes to stderr, so
    that no forked child blocks on `sys.stdin` and nothing printed reaches the protocol."""
    stdin, stdout = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout.flush()
    os.dup2(2, 1)
    return stdin, stdout


def _ended_by(number: int, frame: FrameType | None) -> None:
    """SIGTERM or SIGHUP: end as at `exit`, with the status a shell gives a process the signal
    ended (in a forked child, before it resets the handler: end, and nothing of the server's)."""
    if os.getpid() != server.pid:
        os._exit(128 + number)
    server.end(128 + number)


def _forks_end_with_their_parent(die_with_parent: Callable[[int], object] | None) -> None:
    """What a process forked from the server, or from a process it forked, does first: die with
    the process that forked it (a SIGKILL from the kernel when the thread that forked it ends), and
    hold none of the server's sockets. The parent checked is the one that forked, not the server:
    a parse worker forks a child to lower newer grammar, and that child must live to answer."""
    forking: list[int] = [os.getpid()]

    def before() -> None:
        forking[0] = os.getpid()

    def in_child() -> None:
        if die_with_parent is not None:
            die_with_parent(signal.SIGKILL)
        if os.getppid() != forking[0]:  # the parent ended before the line above took effect
            os._exit(1)
        server.plugins.drop_in_child()

    os.register_at_fork(before=before, after_in_child=in_child)
