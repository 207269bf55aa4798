"""Find the files layerlint checks: the project's packages (under the root or root/src) minus
excludes, and the files and directories the user named.

What cannot be checked is said, never dropped in silence: a `.py` entry that is not a regular
file (a FIFO, a device, a dangling or looping symlink) is kept and its read fails, which the
rules report as an unparsable file, as flake8 and ruff report E902; a named file that is no module of the project, a directory that
cannot be read and a module shadowed by another file of the same name are warnings.
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from layerlint.core.config import Config, ConfigError
from layerlint.core.globs import any_path_matcher, match_module, match_path
from layerlint.core.records import field, record
from layerlint.core.roots import is_project_root, user_path

_SKIP_DIRS = {".git", "__pycache__", "node_modules", ".layerlint_cache", ".mypy_cache", ".ruff_cache",
              ".pytest_cache", ".tox", ".nox", "site-packages"}


@record(frozen=True)
class SourceFile:
    location: str  # absolute path
    relative: str  # to the project root, "/"-separated
    module: str
    is_package: bool
    # (mtime_ns, size) as seen while walking the tree: the cache's stat fast path needs no second stat
    stat: tuple[int, int] | None = field(default=None, compare=False)

    @property
    def path(self) -> Path:
        return Path(self.location)


@record
class Discovery:
    files: list[SourceFile]
    warnings: list[str] = field(default_factory=list)  # what was not checked, and why


def read_source(path: str | Path, *, follow_symlinks: bool = True) -> bytes:
    """A file's bytes, if it is a regular file: a FIFO would block the run and /dev/zero never ends.

    Opened without blocking and checked on the open descriptor, so a file replaced after discovery
    is caught too. With `follow_symlinks=False` a symlink is refused (files layerlint wrote itself).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags if follow_symlinks else flags | getattr(os, "O_NOFOLLOW", 0))
    with open(descriptor, "rb") as handle:
        mode = os.fstat(descriptor).st_mode
        if not stat_module.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"not a regular file ({_kind_of(mode)})", str(path))
        return handle.read()


def _kind_of(mode: int) -> str:
    kinds = ((stat_module.S_ISFIFO, "a FIFO"), (stat_module.S_ISCHR, "a character device"),
             (stat_module.S_ISBLK, "a block device"), (stat_module.S_ISSOCK, "a socket"),
             (stat_module.S_ISDIR, "a directory"))
    return next((name for test, name in kinds if test(mode)), "another kind")


def root_relative(path: Path, root: Path) -> str | None:
    """`path` relative to the project root, "/"-separated; None when it is outside.

    The user's path first (symlinks kept, as ruff keeps them); the resolved path against the
    resolved root second, for a path written through the real directory of a symlinked root.
    """
    absolute = user_path(path)
    for candidate, base in ((absolute, root), (Path(os.path.realpath(absolute)), Path(os.path.realpath(root)))):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return None


class _Collector:
    """Files by root-relative path, and the warnings of one discovery."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = config.root
        self.excluded: Callable[[str], bool] = any_path_matcher(config.all_excludes())
        self.files: dict[str, SourceFile] = {}
        self.warnings: list[str] = []
        self.walked: set[str] = set()  # root-relative directories walked, each with all below it
        self.unimportable: list[str] = []  # .py files met while walking whose names are no module names

    def was_walked(self, relative: str) -> bool:
        return any(top == "." or relative == top or relative.startswith(top + "/") for top in self.walked)

    def under_exclude(self, relative: str) -> bool:
        """Whether `relative` or a directory above it is excluded."""
        parts = relative.split("/") if relative != "." else []
        return any(self.excluded("/".join(parts[:i])) for i in range(1, len(parts) + 1))


def _excluded(relative: str, config: Config) -> bool:
    return any(match_path(pattern, relative) for pattern in config.all_excludes())


def _package_dirs(config: Config, warnings: list[str]) -> list[tuple[Path, Path]]:
    """(package directory, the directory module names are relative to)."""
    bases = [config.root, config.root / "src"]
    if config.packages:
        found: list[tuple[Path, Path]] = []
        for package in config.packages:
            relative = Path(*package.split("."))
            for base in bases:
                if (base / relative).is_dir() or (base / f"{relative}.py").is_file():
                    found.append((base / relative, base))
                    break
            else:
                raise ConfigError(config.file, "packages", f"package `{package}` not found under {config.root}")
        return found
    detected: dict[str, tuple[Path, Path]] = {}
    for base in bases:
        if not base.is_dir():
            continue
        for entry in sorted(base.iterdir()):
            if entry.is_dir() and (entry / "__init__.py").is_file() and not _excluded(
                    entry.relative_to(config.root).as_posix() + "/__init__.py", config):
                if entry.name in detected:  # Python imports whichever comes first on sys.path
                    first = detected[entry.name][0].relative_to(config.root).as_posix()
                    warnings.append(f"{entry.relative_to(config.root).as_posix()}/: not checked: "
                                    f"a package `{entry.name}` is also at {first}/, which is checked")
                    continue
                detected[entry.name] = (entry, base)
    return list(detected.values())


def discover(config: Config) -> list[SourceFile]:
    """The project's files (see `find_files`)."""
    return find_files(config).files


def find_files(config: Config, named: Sequence[Path] = ()) -> Discovery:
    """The project's files and those below the `named` paths.

    A root that is no project (see `roots.is_project_root`) is not walked for a path named in
    it: `check /tmp/loose.py` checks that file, not everything in /tmp.
    """
    collector = _Collector(config)
    relatives = [(path, root_relative(path, config.root)) for path in named]
    for path, relative in relatives:
        if relative is None:
            collector.warnings.append(f"{path}: not checked: outside the project at {config.root}")
    if not named or "." in (r for _, r in relatives) or is_project_root(config.root):
        _discover_project(collector)
    for path, relative in relatives:
        if relative is not None and relative != ".":
            _add_named(collector, path, relative)
    _modules_beside_layers(collector)
    _app_beside_packages(collector)
    files = _unshadowed(collector.files.values(), collector.warnings)
    _summarise_unimportable(collector)
    return Discovery(sorted(files, key=lambda f: f.relative), list(dict.fromkeys(collector.warnings)))


# The layers a package at the root can be, and what sits beside an application that is not it.
_LAYER_ROLES = ("router", "service", "repository", "model", "dto", "dependency")
_NOT_APPLICATION = frozenset({"setup", "noxfile", "fabfile", "manage", "conftest", "__main__"})


def _modules_beside_layers(collector: _Collector) -> None:
    """A flat layout (mem0's `server/`: `routers/` beside `main.py`, `models.py`, `db.py`): the
    packages at the root are layers, not a package of the application, so the modules beside
    them are the rest of it, imported as top-level modules (`from models import Memory`).
    They are checked with the packages; tooling files (`setup.py`, `manage.py`) are not."""
    config = collector.config
    if config.packages:
        return
    # packages under `src/` are beside no module of the root
    tops = {source.module.split(".", 1)[0] for source in collector.files.values()
            if source.relative.split("/", 1)[0] == source.module.split(".", 1)[0]}
    globs = [glob for role in _LAYER_ROLES for glob in config.role_globs(role)]
    if not any(match_module(glob, top) for top in tops for glob in globs):
        return
    try:
        entries = sorted(os.scandir(config.root), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        stem = entry.name[:-3]
        if entry.name.endswith(".py") and stem.isidentifier() and stem not in _NOT_APPLICATION \
                and stem not in tops and entry.name not in collector.files and entry.is_file():
            _add(collector.files, Path(entry.path), config.root, config)


def _app_beside_packages(collector: _Collector) -> None:
    """A `main.py` beside detected packages (`backend/main.py` next to `backend/app/`) that builds
    the app or includes routers: discovery reads packages only, so say so, since the rules that
    need the app (which routers are served) stay silent without it. A launcher (`uvicorn.run("app.main:app")`) is not
    named: its text has neither `FastAPI(` nor `include_router`."""
    config = collector.config
    main = config.root / "main.py"
    if config.packages or "main.py" in collector.files or not main.is_file() or _excluded("main.py", config):
        return
    try:
        text = main.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    if "FastAPI(" not in text and "include_router" not in text:
        return
    packages = sorted({source.module.split(".", 1)[0] for source in collector.files.values()})
    if packages and "main" not in packages:
        listed = ", ".join(f'"{name}"' for name in [*packages, "main"])
        collector.warnings.append(f"main.py: not checked: a module beside the packages, where the app usually is; "
                                  f"to check it, list it with them: `packages = [{listed}]`")


def _summarise_unimportable(collector: _Collector) -> None:
    """One warning for the walk's files that no import can reach (a migration directory holds
    hundreds, e.g. `2021-07-22_c0bc938b058e.py`); a named one has its own."""
    found = sorted(set(collector.unimportable))
    if len(found) == 1:
        stem = found[0].rsplit("/", 1)[-1][:-3]
        collector.warnings.append(_not_a_module(found[0], stem))
    elif found:
        collector.warnings.append(f"{len(found)} files not checked: their names are not module names, so they "
                                  f"cannot be imported ({found[0]}, ...; `exclude` them to silence this)")


def _not_a_module(relative: str, name: str) -> str:
    return f"{relative}: not checked: `{name}` is not a module name, so it cannot be imported"


def _discover_project(collector: _Collector) -> None:
    config = collector.config
    packages = _package_dirs(config, collector.warnings)
    if not packages:  # no package: every .py file under the root, named by its path
        packages = [(config.root, config.root)]
    for package_dir, base in packages:
        if package_dir.is_file() or package_dir.with_suffix(".py").is_file() and not package_dir.is_dir():
            single = package_dir if package_dir.suffix == ".py" else package_dir.with_suffix(".py")
            _add(collector.files, single, base, config)
            continue
        _walk(collector, package_dir, base)


def _add_named(collector: _Collector, path: Path, relative: str) -> None:
    """A file or directory the user named: checked even where discovery does not look (a
    namespace package, a script beside the packages), unless excluded (as flake8 does)."""
    if collector.under_exclude(relative):
        return
    root = collector.root
    if os.path.isdir(path):
        if collector.was_walked(relative):
            return
        src = root / "src"
        base = src if relative.split("/")[0] == "src" and src.is_dir() else root
        _walk(collector, root / relative, base, named=True)
        return
    if relative in collector.files:
        return
    if not relative.endswith(".py"):
        collector.warnings.append(f"{relative}: not checked: not a `.py` file")
        return
    parts = _module_parts(relative, collector.config)
    bad = next((part for part in parts if not part.isidentifier()), None)
    if bad is not None:
        collector.warnings.append(_not_a_module(relative, bad))
        return
    named = _module_of(parts)
    if named is not None:
        collector.files[relative] = SourceFile(str(root / relative), relative, *named, _regular_stat(path))


def _regular_stat(path: Path) -> tuple[int, int] | None:
    """(mtime_ns, size) of a regular file; None for anything else, whose read then reports why."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size) if stat_module.S_ISREG(found.st_mode) else None


def _walk(collector: _Collector, package_dir: Path, base: Path, *, named: bool = False) -> None:
    """Every .py file below `package_dir`; an excluded directory is not entered at all.

    Strings and `os.scandir`, not `Path` objects: on a 24,000-file tree a `Path` per file was
    most of the walk, and the directory entry gives each file's stat without another lookup.
    Symlinked directories are followed, except one leading back to a directory above it (a loop).
    """
    top = package_dir.relative_to(collector.root).as_posix()
    if collector.under_exclude(top):
        return
    base_parts = package_dir.relative_to(base).parts
    bad = next((part for part in base_parts if not part.isidentifier()), None)
    if bad is not None:
        if named:
            collector.warnings.append(_not_a_module(f"{top}/", bad))
        return
    collector.walked.add(top)
    top_real = os.path.realpath(package_dir)
    pending = [_Directory(str(package_dir), "" if top == "." else top + "/", list(base_parts), top_real,
                          frozenset({top_real}), top_real)]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory.path))
        except OSError as error:
            collector.warnings.append(f"{directory.prefix or './'}: not checked: cannot read the directory "
                                      f"({error.strerror or error})")
            continue
        for entry in entries:
            _visit(collector, entry, directory, pending)


class _Directory(NamedTuple):
    """A directory to walk, and where the walk came from: real paths, not (device, inode) pairs, so
    that only a symlink costs a lookup (a stat of every directory was a tenth of a warm run)."""

    path: str
    prefix: str  # its root-relative path and "/", or "" for the root
    module_parts: list[str]
    real: str
    walked: frozenset[str]  # the real paths of the directories walked to reach it, its own included
    top: str  # the real path of the directory the walk started from


def _visit(collector: _Collector, entry: os.DirEntry[str], parent: _Directory, pending: list[_Directory]) -> None:
    name = entry.name
    relative = parent.prefix + name
    if _is_directory(entry):
        if name in _SKIP_DIRS or name.startswith(".venv") or not name.isidentifier() or collector.excluded(relative) \
                or relative in collector.walked:  # a package below a named directory: walked already
            return
        real = os.path.join(parent.real, name)
        if entry.is_symlink():  # only a symlink can lead back to a directory walked through or above
            real = os.path.realpath(entry.path)
            if real in parent.walked or parent.top.startswith(real.rstrip(os.sep) + os.sep):
                collector.warnings.append(f"{relative}/: not followed: a symlink to a directory above it (a loop)")
                return
        pending.append(_Directory(entry.path, relative + "/", [*parent.module_parts, name], real,
                                  parent.walked | {real}, parent.top))
    elif name.endswith(".py") and not collector.excluded(relative):
        _add_entry(collector, entry, relative, parent.module_parts)


def _is_directory(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a directory or links to one (a dangling or looping symlink is not)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _add_entry(collector: _Collector, entry: os.DirEntry[str], relative: str, module_parts: list[str]) -> None:
    stem = entry.name[:-3]
    is_package = stem == "__init__"
    dotted = module_parts if is_package else [*module_parts, stem]
    if not stem.isidentifier():
        collector.unimportable.append(relative)
        return
    if not dotted:
        return
    try:
        found = entry.stat() if entry.is_file() else None
    except OSError:  # gone, or a symlink loop: reading it says which
        found = None
    stat = (found.st_mtime_ns, found.st_size) if found is not None else None
    collector.files[relative] = SourceFile(entry.path, relative, ".".join(dotted), is_package, stat)


def _add(files: dict[str, SourceFile], path: Path, base: Path, config: Config) -> None:
    relative = path.relative_to(config.root).as_posix()
    if _excluded(relative, config):
        return
    parts = list(path.relative_to(base).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return
    files[relative] = SourceFile(str(path), relative, ".".join(parts), is_package)


def _unshadowed(files: Iterable[SourceFile], warnings: list[str]) -> list[SourceFile]:
    """One file per module name: the one Python imports (a package's `__init__.py` before a module
    of the same name, then the first path), the others reported."""
    chosen: dict[str, SourceFile] = {}
    shadowed: list[SourceFile] = []  # few: sorted alone (sorting every file was 1 ms of a warm run)
    for source in files:
        first = chosen.setdefault(source.module, source)
        if first is not source:
            if _imported_first(source) < _imported_first(first):
                chosen[source.module], source = source, first
            shadowed.append(source)
    for source in sorted(shadowed, key=_imported_first):
        first = chosen[source.module]
        package = " (Python imports the package)" if first.is_package and not source.is_package else ""
        warnings.append(f"{source.relative}: not checked: {first.relative} is also module `{source.module}`{package}")
    return list(chosen.values())


def _imported_first(source: SourceFile) -> tuple[bool, str]:
    return not source.is_package, source.relative


def module_name_for(path: Path, config: Config) -> tuple[str, bool] | None:
    """The module name a file would have in this project (for a file handed over alone)."""
    relative = root_relative(path, config.root)
    if relative is None:
        return None
    parts = _module_parts(relative, config)
    return _module_of(parts) if all(p.isidentifier() for p in parts) else None


def _module_parts(relative: str, config: Config) -> list[str]:
    """A root-relative file's path parts as module name parts: below `src/` when there is one."""
    parts = list(Path(relative).with_suffix("").parts)
    if parts and parts[0] == "src" and (config.root / "src").is_dir():
        return parts[1:]
    return parts


def _module_of(parts: list[str]) -> tuple[str, bool] | None:
    """(dotted name, is a package) of a file's module parts; None for a root `__init__.py`."""
    is_package = bool(parts) and parts[-1] == "__init__"
    parts = parts[:-1] if is_package else parts
    return (".".join(parts), is_package) if parts else None
