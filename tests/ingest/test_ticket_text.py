"""Ticket body text: ADF, Jira wiki markup and HTML reduced to plain text."""

from __future__ import annotations

from typing import Any

from pmdraft.ingest._ticket_text import adf_to_text, body_text, first_part, html_to_text, wiki_to_text


def para(*inline: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(inline)}


def text(value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": value, **extra}


def doc(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def test_adf_inline_nodes() -> None:
    rendered = adf_to_text(
        doc(
            para(
                {"type": "mention", "attrs": {"id": "abc", "text": "Ana"}},
                text(" see "),
                text("the graph", marks=[{"type": "link", "attrs": {"href": "https://g.example/1"}}]),
                {"type": "hardBreak"},
                {"type": "emoji", "attrs": {"shortName": ":tada:"}},
                {"type": "emoji", "attrs": {"shortName": ":fire:", "text": "🔥"}},
                {"type": "inlineCard", "attrs": {"url": "https://x.example/OPS-1"}},
            )
        )
    )
    assert rendered == "@Ana see the graph (https://g.example/1)\n:tada:🔥 https://x.example/OPS-1"


def test_adf_link_mark_whose_text_is_the_url_is_not_repeated() -> None:
    url = "https://status.example"
    assert adf_to_text(doc(para(text(url, marks=[{"type": "link", "attrs": {"href": url}}])))) == url


def test_adf_lists_code_and_unknown_nodes() -> None:
    rendered = adf_to_text(
        doc(
            {
                "type": "orderedList",
                "attrs": {"order": 3},
                "content": [
                    {"type": "listItem", "content": [para(text("third"))]},
                    {"type": "listItem", "content": [para(text("fourth"))]},
                ],
            },
            {"type": "codeBlock", "content": [text("a = 1\n  b = 2\n")]},
            {"type": "someFutureNode", "content": [para(text("still readable"))]},
            {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "m1"}}]},
        )
    )
    assert rendered == "3. third\n4. fourth\na = 1\n  b = 2\nstill readable"


def test_adf_deep_nesting_does_not_recurse_forever() -> None:
    node: dict[str, Any] = para(text("bottom"))
    for _ in range(600):
        node = {"type": "blockquote", "content": [node]}
    rendered = adf_to_text(doc(node))
    assert rendered.endswith("bottom")


def test_adf_tolerates_garbage() -> None:
    assert adf_to_text(None) == ""
    assert adf_to_text({"type": "doc", "content": "not a list"}) == ""
    assert adf_to_text({"type": "doc", "content": [para({"no": "type"}), "stray string"]}) == ""


def test_wiki_markup() -> None:
    markup = (
        "h2. Timeline\n"
        "*14:02* alert fired, _paged_ [~jdoe] and [~accountid:5b10]\n"
        "# rolled back\n"
        "## verified\n"
        "{color:red}+customer impact+{color} ??cited?? {{code}}\n"
        "[https://status.example] and [the doc|https://wiki.example/x]\n"
        "!graph.png|thumbnail!\n"
        "line one\\\\line two\n"
        "----\n"
        "{quote}quoted{quote}\n"
        "{code}\nkeep *this* _as is_\n{code}"
    )
    assert wiki_to_text(markup) == (
        "Timeline\n"
        "14:02 alert fired, paged @jdoe and @5b10\n"
        "- rolled back\n"
        "  - verified\n"
        "customer impact cited code\n"
        "https://status.example and the doc (https://wiki.example/x)\n"
        "[image: graph.png]\n"
        "line one\n"
        "line two\n"
        "---\n"
        "quoted\n"
        "\n"
        "keep *this* _as is_"
    )


def test_wiki_leaves_snake_case_and_arithmetic_alone() -> None:
    assert wiki_to_text("set max_conn_count to 2*3*4 now") == "set max_conn_count to 2*3*4 now"


def test_body_text_dispatches_on_type() -> None:
    assert body_text("*bold*") == "bold"
    assert body_text(doc(para(text("adf")))) == "adf"
    assert body_text(None) == ""


def test_first_part_cuts_on_a_word() -> None:
    long = "word " * 200
    cut = first_part(long, 50)
    assert cut.endswith("…") and len(cut) <= 51 and not cut[:-1].endswith(" ")
    assert first_part("  short  ") == "short"


def test_html_to_text() -> None:
    assert html_to_text("<p>a &amp; b<br/>c</p><p>d</p>") == "a & b\nc\nd"
