"""Token counting that never touches the network.

tiktoken downloads its vocabularies on first use, which fails on machines without internet. The
``bpe-openai`` package ships the same files (gzip-compressed); this module checks them against the
sha256 tiktoken itself expects, seeds them into a pmdraft-owned cache under the file name tiktoken
looks for, builds the encoding from tiktoken's own constructor (so pattern and special tokens stay
tiktoken's), and registers it so any later ``tiktoken.get_encoding`` in this process is offline too.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tiktoken
import tiktoken.registry

from pmdraft.errors import ConfigError

DEFAULT_ENCODING = "o200k_base"

#: encoding -> (file shipped in bpe_openai/data, the sha256 tiktoken_ext.openai_public expects).
_SHIPPED: dict[str, tuple[str, str]] = {
    "o200k_base": (
        "o200k_base.tiktoken.gz",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": (
        "cl100k_base.tiktoken.gz",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}
_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
_lock = threading.Lock()


def cache_dir() -> Path:
    """Where the decompressed vocabularies live: ``$PMDRAFT_TIKTOKEN_DIR`` or the user cache dir."""
    explicit = os.environ.get("PMDRAFT_TIKTOKEN_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pmdraft" / "tiktoken"


def _seed(name: str, folder: Path) -> None:
    """Put the shipped vocabulary where tiktoken's file cache looks (sha1 of its download URL)."""
    filename, expected = _SHIPPED[name]
    target = folder / hashlib.sha1(_URL.format(name=name).encode()).hexdigest()
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == expected:
        return
    data = gzip.decompress(_shipped_file(filename).read_bytes())
    if hashlib.sha256(data).hexdigest() != expected:
        raise ConfigError(
            f"The {name} vocabulary shipped by bpe-openai does not have the hash tiktoken expects; "
            "reinstall bpe-openai."
        )
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _shipped_file(filename: str) -> Path:
    """The file in bpe-openai's data folder, found without importing bpe_openai (its import eagerly
    loads every vocabulary and warns)."""
    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("The bpe-openai package is missing; reinstall pmdraft.")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / filename


@contextmanager
def _tiktoken_cache(folder: Path) -> Iterator[None]:
    """Point tiktoken's file cache at ``folder`` while its constructor runs, then restore the env."""
    before = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = before


def get_encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    """The named encoding, built from the vocabulary bpe-openai ships; never downloads."""
    known = tiktoken.registry.ENCODINGS.get(name)
    if known is not None:
        return known
    if name not in _SHIPPED:
        raise ConfigError(
            f"Unknown or unavailable offline encoding '{name}'. Known: {', '.join(sorted(_SHIPPED))}."
        )
    with _lock, tiktoken.registry._lock:
        known = tiktoken.registry.ENCODINGS.get(name)
        if known is not None:
            return known
        folder = cache_dir()
        try:
            _seed(name, folder)
        except OSError as e:
            raise ConfigError(
                f"Cannot write the token vocabulary cache in {folder} ({e.strerror}); "
                "set PMDRAFT_TIKTOKEN_DIR to a writable folder."
            ) from None
        from tiktoken_ext import openai_public  # type: ignore[import-untyped]

        with _tiktoken_cache(folder):
            spec: dict[str, Any] = openai_public.ENCODING_CONSTRUCTORS[name]()
            encoding = tiktoken.Encoding(**spec)
        tiktoken.registry.ENCODINGS[name] = encoding
        return encoding


def encoding_name_for_model(model: str | None) -> str:
    """tiktoken's encoding for an OpenAI model name; other models (llama, qwen...) get the default."""
    if not model:
        return DEFAULT_ENCODING
    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        return DEFAULT_ENCODING
    return name if name in _SHIPPED else DEFAULT_ENCODING


def tiktoken_knows(model: str | None) -> bool:
    """Whether ``model`` is an OpenAI model whose own encoding we count with."""
    if not model:
        return False
    try:
        tiktoken.encoding_name_for_model(model)
    except KeyError:
        return False
    return True


def count_tokens(text: str, encoding: tiktoken.Encoding) -> int:
    """Token count; special-token text pasted into an incident (``<|endoftext|>``) counts as text."""
    return len(encoding.encode(text, disallowed_special=()))
