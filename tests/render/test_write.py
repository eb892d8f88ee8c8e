"""Safe writing: pmdraft overwrites only what it wrote and nobody changed since; everything else needs
--force or another path, and the refusal is one line that names a free sibling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmdraft.errors import OutputError
from pmdraft.render.write import check_output, hash_sidecar, is_unchanged, stamp_markdown, write_output


def test_markdown_records_its_hash_and_is_overwritten_while_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "pm.md"
    write_output(path, "# Draft\n\nfirst\n", "md")
    text = path.read_text()
    assert text.startswith("# Draft\n\nfirst\n") and text.rstrip().endswith("-->")
    assert "<!-- pmdraft:sha256=" in text and is_unchanged(path, "md") is True
    write_output(path, "# Draft\n\nsecond\n", "md")
    assert "second" in path.read_text() and "first" not in path.read_text()


def test_an_edited_markdown_file_is_refused_with_the_exact_message(tmp_path: Path) -> None:
    path = tmp_path / "pm.md"
    write_output(path, "# Draft\n", "md")
    path.write_text(path.read_text().replace("# Draft", "# Draft, edited by Rina"))
    with pytest.raises(OutputError) as err:
        write_output(path, "# New\n", "md")
    assert str(err.value) == (
        f"{path}: changed since pmdraft wrote it; pass --force to overwrite, or -o to write elsewhere "
        f"(e.g. {tmp_path / 'pm.new.md'})"
    )
    assert err.value.exit_code == 1
    assert "edited by Rina" in path.read_text()


def test_text_added_after_the_hash_comment_counts_as_an_edit(tmp_path: Path) -> None:
    path = tmp_path / "pm.md"
    write_output(path, "# Draft\n", "md")
    path.write_text(path.read_text() + "\nnotes from the meeting\n")
    assert is_unchanged(path, "md") is False


def test_force_overwrites_an_edited_file(tmp_path: Path) -> None:
    path = tmp_path / "pm.md"
    write_output(path, "# Draft\n", "md")
    path.write_text("# Mine now\n" + path.read_text())
    write_output(path, "# New\n", "md", force=True)
    assert path.read_text().startswith("# New\n") and is_unchanged(path, "md") is True


def test_a_file_pmdraft_did_not_write_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# My own notes\n")
    (tmp_path / "notes.new.md").write_text("taken")
    with pytest.raises(OutputError) as err:
        check_output(path, "md")
    assert str(err.value) == (
        f"{path}: was not written by pmdraft; pass --force to overwrite, or -o to write elsewhere "
        f"(e.g. {tmp_path / 'notes.new-2.md'})"
    )
    assert path.read_text() == "# My own notes\n"


def test_json_hash_lives_in_a_sibling_file(tmp_path: Path) -> None:
    path = tmp_path / "pm.json"
    write_output(path, '{"a": 1}\n', "json")
    assert json.loads(path.read_text()) == {"a": 1}
    assert hash_sidecar(path).read_text().startswith("sha256=")
    write_output(path, '{"a": 2}\n', "json")
    path.write_text('{"a": 3}\n')
    with pytest.raises(OutputError, match="changed since pmdraft wrote it"):
        write_output(path, '{"a": 4}\n', "json")
    hash_sidecar(path).unlink()
    with pytest.raises(OutputError, match="was not written by pmdraft"):
        write_output(path, '{"a": 4}\n', "json")
    write_output(path, '{"a": 4}\n', "json", force=True)
    assert json.loads(path.read_text()) == {"a": 4} and is_unchanged(path, "json") is True


def test_folders_and_missing_parents_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        write_output(tmp_path, "x", "md")
    with pytest.raises(OutputError, match="does not exist"):
        write_output(tmp_path / "nope" / "pm.md", "x", "md")


def test_stamp_is_stable() -> None:
    assert stamp_markdown("a\n") == stamp_markdown("a")
    assert stamp_markdown("a\n") != stamp_markdown("b\n")
