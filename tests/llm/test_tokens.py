"""Token counting works with the network blocked and every tiktoken cache empty."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import tiktoken
import tiktoken.registry

from pmdraft.errors import ConfigError
from pmdraft.tokens import cache_dir, count_tokens, encoding_name_for_model, get_encoding


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No network, a fresh empty TIKTOKEN_CACHE_DIR, a fresh pmdraft cache, no loaded encodings."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network blocked by test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    (tmp_path / "tiktoken-empty").mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken-empty"))
    monkeypatch.setenv("PMDRAFT_TIKTOKEN_DIR", str(tmp_path / "pmdraft"))
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    return tmp_path


def test_network_is_really_blocked(offline: Path) -> None:
    with pytest.raises(OSError, match="network blocked"), socket.socket() as s:
        s.connect(("127.0.0.1", 9))


@pytest.mark.parametrize(
    ("name", "text", "expected"), [("o200k_base", "hello world", 2), ("cl100k_base", "hello world", 2)]
)
def test_encodings_build_offline(offline: Path, name: str, text: str, expected: int) -> None:
    enc = get_encoding(name)
    assert enc.name == name
    assert count_tokens(text, enc) == expected
    assert enc.decode(enc.encode("Checkout failed for 30% of users")) == "Checkout failed for 30% of users"
    assert tiktoken.get_encoding(name) is enc  # later tiktoken users in the process are offline too
    assert list((offline / "tiktoken-empty").iterdir()) == []
    assert len(list((offline / "pmdraft").iterdir())) == 1


def test_pasted_special_tokens_count_as_text(offline: Path) -> None:
    enc = get_encoding()
    assert count_tokens("before <|endoftext|> after", enc) > 3
    with pytest.raises(ValueError):
        enc.encode("<|endoftext|>")  # tiktoken's default: what count_tokens must avoid


def test_a_corrupted_seed_file_is_replaced(offline: Path) -> None:
    get_encoding()
    seeded = next((offline / "pmdraft").iterdir())
    seeded.write_bytes(b"garbage")
    tiktoken.registry.ENCODINGS.clear()
    assert count_tokens("hello world", get_encoding()) == 2
    assert seeded.stat().st_size > 1_000_000


def test_unknown_encoding_is_a_config_error(offline: Path) -> None:
    with pytest.raises(ConfigError, match="Unknown or unavailable offline encoding 'p50k_base'"):
        get_encoding("p50k_base")


def test_model_names_map_to_shipped_encodings() -> None:
    assert encoding_name_for_model("gpt-4o-mini") == "o200k_base"
    assert encoding_name_for_model("gpt-4") == "cl100k_base"
    assert encoding_name_for_model("text-davinci-003") == "o200k_base"  # p50k is not shipped
    assert encoding_name_for_model("llama3.1:8b") == "o200k_base"
    assert encoding_name_for_model(None) == "o200k_base"


def test_cache_dir_follows_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PMDRAFT_TIKTOKEN_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "pmdraft" / "tiktoken"
