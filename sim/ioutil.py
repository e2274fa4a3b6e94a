"""Safe file input and output.

Output: every file is written to a temporary dot-name in its folder and renamed onto its name
(:func:`atomic_write`), so a reader (or a crash) never sees a partial file and an existing file
is replaced atomically. Files get the permissions the user's umask allows (as ``open`` does),
not ``tempfile``'s private 0600. A failed write (no space left, read-only folder) is a one-line
:class:`WriteError` naming the file; nothing is left behind.

Input: :func:`read_text_file` reads a small regular text file (a FIFO, a device or a folder is
refused before it is opened, so nothing blocks) and :func:`load_yaml` parses YAML safely,
refusing documents whose anchors and aliases expand to a huge tree (an alias bomb).
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sim.errors import ConfigError, UserError, clip

#: Largest text file :func:`read_text_file` reads (configs and specs are a few kB).
MAX_TEXT_BYTES = 4 * 1024 * 1024
#: Largest YAML tree (nodes, after expanding aliases) :func:`load_yaml` accepts.
MAX_YAML_NODES = 100_000


class WriteError(UserError):
    """A file could not be written (disk full, read-only folder ...); nothing was left behind."""

    def __init__(self, path: Path, exc: OSError) -> None:
        self.path = path
        self.errno = exc.errno
        super().__init__(f"{path}: cannot write ({os_reason(exc)})")


def os_reason(exc: BaseException) -> str:
    """The reason of an OS error in a few words (``No space left on device``)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    return text.split("] ", 1)[-1] if text.startswith("[Errno") else (text or type(exc).__name__)


def _temporary(target: Path) -> Path:
    """Create an empty temporary file beside ``target``, with the umask's permissions."""
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file onto ``path``.

    An :class:`OSError` while creating, writing or renaming becomes a :class:`WriteError` (and
    the temporary file is removed); other exceptions pass through unchanged.
    """
    target = Path(path)
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(target)
        write(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        _discard(tmp)
        raise WriteError(target, exc) from None
    except BaseException:
        _discard(tmp)
        raise
    return target


def _discard(tmp: Path | None) -> None:
    if tmp is not None:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def write_json(path: str | Path, data: Any) -> Path:
    """Atomically write JSON (sorted keys, indented)."""
    text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_parquet(path: str | Path, frame: Any) -> Path:
    """Atomically write a pandas DataFrame as Parquet."""
    return atomic_write(path, lambda p: frame.to_parquet(p, index=False))


def prepare_out_dir(path: str | Path, flag: str = "--out") -> Path:
    """An output folder, created if missing and checked writable before any work is done.

    A path that is a file, a folder that cannot be created or written (read-only file system,
    ``/proc``, no permission) is a one-line :class:`UserError` naming ``flag``.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UserError(f"{flag} {out}: is a file, expected a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{flag} {out}: cannot create folder ({os_reason(exc)})") from None
    check_writable(out, flag)
    return out


def check_writable(folder: Path, flag: str = "--out") -> None:
    """Create and remove a probe file in ``folder``; a one-line :class:`UserError` if it fails."""
    try:
        _temporary(folder / "write-probe").unlink()
    except OSError as exc:
        raise UserError(f"{flag} {folder}: cannot write there ({os_reason(exc)})") from None


def read_text_file(path: str | Path, kind: str = "file", limit: int = MAX_TEXT_BYTES) -> str:
    """The text of a small regular UTF-8 file; anything else is a one-line :class:`ConfigError`.

    A FIFO, socket or device is refused from its ``stat`` (opening a FIFO would wait for a
    writer forever); so are folders, files over ``limit`` bytes, unreadable files (e.g.
    ``/proc/self/mem``) and files that are not UTF-8 text.
    """
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such {kind}") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read {kind} ({os_reason(exc)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"{p}: is a directory, expected a {kind} (YAML)")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{p}: not a regular file (a FIFO, socket or device); expected a {kind}")
    if info.st_size > limit:
        raise ConfigError(f"{p}: {info.st_size:,} bytes is too large for a {kind} "
                          f"(at most {limit:,})")
    try:
        with open(p, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read {kind} ({os_reason(exc)})") from None
    if len(data) > limit:
        raise ConfigError(f"{p}: too large for a {kind} (at most {limit:,} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not a UTF-8 text file; expected a {kind} (YAML)") from None


def load_yaml(text: str, source: str | Path, limit: int = MAX_YAML_NODES) -> Any:
    """Parse one YAML document safely (``yaml.SafeLoader``), refusing huge expansions.

    Anchors and aliases are checked before any Python object is built: a document whose tree,
    with every alias expanded, has more than ``limit`` nodes (the billion-laughs pattern) or
    that refers to itself, or a value Python cannot hold (an integer of thousands of digits), is
    a one-line :class:`ConfigError`. Syntax errors raise
    :class:`yaml.YAMLError` for the caller to word.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, source, limit)
        try:
            return loader.construct_document(node)
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise ConfigError(f"{source}: a value cannot be read ({clip(str(exc), 120)})") \
                from None
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node, source: str | Path, limit: int) -> None:
    """Count the nodes of the expanded tree (shared nodes once per use), without expanding it."""
    size: dict[int, int] = {}
    busy: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            busy.discard(key)
            total = 1 + sum(size[id(c)] for c in _children(node))
            if total > limit:
                raise ConfigError(f"{source}: YAML anchors and aliases expand to more than "
                                  f"{limit:,} nodes; refusing to read it (an alias bomb?)")
            size[key] = total
            continue
        if key in size:
            continue
        if key in busy:
            raise ConfigError(f"{source}: a YAML alias refers to the node that contains it "
                              "(a recursive structure); not allowed")
        busy.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error is "no space left on device" (or over quota)."""
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
