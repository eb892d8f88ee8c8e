"""Writing a rendered draft without destroying a person's edits.

pmdraft records a SHA-256 of what it generated with every file it writes:

* Markdown and HTML: a trailing HTML comment ``<!-- pmdraft:sha256=<hex> -->`` (invisible when rendered),
  the hash of everything before it. Only a comment that ends the file counts, so one quoted from the
  sources cannot stand in for it.
* JSON (and any other format, such as action-item exports): a sibling file ``<name>.pmdraft-hash``
  holding ``sha256=<hex>`` of the file's bytes. A sibling keeps the JSON itself exactly the PostMortem
  schema, so ``PostMortem.model_validate_json`` and other tools read it unchanged.

Writing over an existing file is allowed only when its content still matches its recorded hash (it is
exactly what pmdraft wrote), or with ``force``. A file a person edited, or one pmdraft never wrote, is
refused with an ``OutputError`` that names a free sibling path to write to instead. Writes go through a
temporary file and ``os.replace`` so an interrupted run never leaves half a draft.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from pmdraft.errors import OutputError

__all__ = ["HASH_SUFFIX", "check_output", "hash_sidecar", "is_unchanged", "stamp_markdown", "write_output"]

HASH_SUFFIX = ".pmdraft-hash"
_STAMPED = ("md", "html")
_MD_STAMP = re.compile(r"<!-- pmdraft:sha256=([0-9a-f]{64}) -->")
_SIDECAR = re.compile(r"\Asha256=([0-9a-f]{64})\s*\Z")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stamp_markdown(text: str) -> str:
    """``text`` followed by the comment that records its hash."""
    body = text if text.endswith("\n") else text + "\n"
    return f"{body}<!-- pmdraft:sha256={_sha256(body.encode('utf-8'))} -->\n"


def hash_sidecar(path: Path) -> Path:
    """Where the hash of a JSON output lives."""
    return path.with_name(path.name + HASH_SUFFIX)


def is_unchanged(path: Path, fmt: str) -> bool | None:
    """True when ``path`` is exactly what pmdraft wrote, False when it was changed, None when pmdraft did
    not write it (no recorded hash)."""
    data = path.read_bytes()
    if fmt in _STAMPED:
        text = data.decode("utf-8", errors="replace")
        stamps = list(_MD_STAMP.finditer(text))
        if not stamps:
            return None
        last = stamps[-1]
        body, rest = text[: last.start()], text[last.end() :]
        return _sha256(body.encode("utf-8")) == last.group(1) and not rest.strip()
    sidecar = hash_sidecar(path)
    if not sidecar.is_file():
        return None
    m = _SIDECAR.match(sidecar.read_text(encoding="utf-8", errors="replace"))
    if m is None:
        return None
    return _sha256(data) == m.group(1)


def _free_sibling(path: Path) -> Path:
    """``draft.new.md``, then ``draft.new-2.md``, ... whichever does not exist yet."""
    stem, suffix = path.stem, path.suffix
    n = 1
    while True:
        name = f"{stem}.new{suffix}" if n == 1 else f"{stem}.new-{n}{suffix}"
        candidate = path.with_name(name)
        if not candidate.exists():
            return candidate
        n += 1


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_output(path: Path, fmt: str, *, force: bool = False) -> None:
    """Raise OutputError (exit 1) when writing ``path`` would lose a person's work: an edited file or a
    file pmdraft did not write (unless ``force``), a folder, or a missing parent folder."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; pass a file name to -o")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: folder {path.parent} does not exist")
    if path.exists() and not force:
        state = is_unchanged(path, fmt)
        if state is not True:
            what = "changed since pmdraft wrote it" if state is False else "was not written by pmdraft"
            raise OutputError(
                f"{path}: {what}; pass --force to overwrite, or -o to write elsewhere "
                f"(e.g. {_free_sibling(path)})"
            )


def write_output(path: Path, text: str, fmt: str, *, force: bool = False) -> None:
    """Write a rendered draft (``fmt`` 'md', 'html', 'json', ...) to ``path`` with its hash, after
    ``check_output``."""
    check_output(path, fmt, force=force)
    try:
        if fmt in _STAMPED:
            _atomic_write(path, stamp_markdown(text).encode("utf-8"))
            return
        data = text.encode("utf-8")
        _atomic_write(path, data)
        _atomic_write(hash_sidecar(path), f"sha256={_sha256(data)}\n".encode())
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({e.strerror or e})") from None
