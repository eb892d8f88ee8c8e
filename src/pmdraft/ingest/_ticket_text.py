"""Plain text from ticket bodies: Jira's ADF trees and wiki markup, Zendesk's HTML.

Every ticket adapter reduces its markup dialect to plain text here, so later stages (redaction,
prompts, citations) deal with one form and the dialect parsers are tested once.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["adf_to_text", "body_text", "first_part", "html_to_text", "wiki_to_text"]

_DESCRIPTION_CHARS = 500
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6])\s*/?>", re.IGNORECASE)


# --- ADF ---------------------------------------------------------------------------------------

_INLINE_TYPES = frozenset(
    {"text", "mention", "hardBreak", "emoji", "inlineCard", "status", "date", "mediaInline", "placeholder"}
)
_MAX_DEPTH = 40


def adf_to_text(doc: object) -> str:
    """Plain text of an ADF document: one line per paragraph, list items marked, code kept verbatim."""
    if not isinstance(doc, dict):
        return doc.strip() if isinstance(doc, str) else ""
    return "\n".join(_adf_block(doc, 0)).strip()


def _adf_children(node: dict[str, Any]) -> list[dict[str, Any]]:
    content = node.get("content")
    return [c for c in content if isinstance(c, dict)] if isinstance(content, list) else []


def _adf_attr(node: dict[str, Any], name: str) -> str:
    attrs = node.get("attrs")
    value = attrs.get(name) if isinstance(attrs, dict) else None
    return value if isinstance(value, str) else ""


def _adf_blocks(nodes: list[dict[str, Any]], depth: int) -> list[str]:
    if nodes and all(n.get("type") in _INLINE_TYPES for n in nodes):
        text = _adf_inline(nodes, depth)
        return text.split("\n") if text.strip() else []
    lines: list[str] = []
    for child in nodes:
        lines.extend(_adf_block(child, depth + 1))
    return lines


def _adf_block(node: dict[str, Any], depth: int) -> list[str]:
    if depth > _MAX_DEPTH:
        flat = _adf_flat(node)
        return [flat] if flat else []
    kind = node.get("type")
    children = _adf_children(node)
    if kind in ("paragraph", "heading", "codeBlock"):
        text = _adf_inline(children, depth)
        text = text.strip("\n") if kind == "codeBlock" else text.strip()
        return text.split("\n") if text.strip() else []
    if kind in ("bulletList", "orderedList"):
        order = node.get("attrs", {}).get("order", 1) if isinstance(node.get("attrs"), dict) else 1
        number = order if isinstance(order, int) else 1
        lines: list[str] = []
        for item in children:
            marker = "- " if kind == "bulletList" else f"{number}. "
            number += 1
            sub = _adf_blocks(_adf_children(item), depth + 1)
            if sub:
                lines.append(marker + sub[0])
                lines.extend("  " + line for line in sub[1:])
        return lines
    if kind == "blockquote":
        return ["> " + line for line in _adf_blocks(children, depth)]
    if kind == "table":
        rows = []
        for row in children:
            cells = [" ".join(_adf_blocks(_adf_children(cell), depth + 2)) for cell in _adf_children(row)]
            rows.append(" | ".join(cells))
        return rows
    if kind == "rule":
        return ["---"]
    if kind in ("blockCard", "embedCard"):
        url = _adf_attr(node, "url")
        return [url] if url else []
    if kind in _INLINE_TYPES:
        text = _adf_inline([node], depth)
        return text.split("\n") if text.strip() else []
    # doc, panel, listItem, expand, layout... and node types this code has never seen: their children.
    return _adf_blocks(children, depth)


def _adf_inline(nodes: list[dict[str, Any]], depth: int) -> str:
    parts: list[str] = []
    for node in nodes:
        kind = node.get("type")
        if kind == "text":
            text = node.get("text")
            text = text if isinstance(text, str) else ""
            for mark in node.get("marks") or ():
                if isinstance(mark, dict) and mark.get("type") == "link":
                    href = _adf_attr(mark, "href")
                    if href and href != text:
                        text = f"{text} ({href})"
            parts.append(text)
        elif kind == "hardBreak":
            parts.append("\n")
        elif kind == "mention":
            name = _adf_attr(node, "text") or _adf_attr(node, "id")
            parts.append(name if name.startswith("@") else f"@{name}")
        elif kind == "emoji":
            parts.append(_adf_attr(node, "text") or _adf_attr(node, "shortName"))
        elif kind == "inlineCard":
            gap = " " if parts and not parts[-1][-1:].isspace() else ""
            parts.append(gap + _adf_attr(node, "url"))
        elif kind == "status":
            parts.append(f"[{_adf_attr(node, 'text')}]")
        elif kind == "date":
            stamp = node.get("attrs", {}).get("timestamp") if isinstance(node.get("attrs"), dict) else None
            parts.append(str(stamp) if stamp is not None else "")
        elif depth <= _MAX_DEPTH:
            parts.append(" ".join(_adf_blocks(_adf_children(node), depth + 1)))
        else:
            parts.append(_adf_flat(node))
    return "".join(parts)


def _adf_flat(node: dict[str, Any]) -> str:
    """Every text under ``node``, iteratively: the fallback for trees too deep to recurse into."""
    texts: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        text = current.get("text")
        if isinstance(text, str):
            texts.append(text)
        stack.extend(reversed(_adf_children(current)))
    return " ".join(t for t in texts if t.strip())


# --- wiki markup -------------------------------------------------------------------------------

_WIKI_PRE = re.compile(r"(?<!\{)\{(code|noformat)(?::[^}]*)?\}(?!\})(.*?)(?<!\{)\{\1\}(?!\})", re.DOTALL)
_WIKI_MACRO = re.compile(r"\{(?:quote|panel|color|section|column|expand|info|note|warning|tip)(?::[^}]*)?\}")
_WIKI_HEADING = re.compile(r"^\s*h[1-6]\.\s+")
_WIKI_QUOTE = re.compile(r"^\s*bq\.\s+")
_WIKI_RULE = re.compile(r"^\s*-{4,}\s*$")
_WIKI_LIST = re.compile(r"^\s*([*#-]+)\s+(?=\S)")
_WIKI_MENTION = re.compile(r"\[~(?:accountid:)?([^\]]+)\]")
_WIKI_LINK = re.compile(r"\[([^|\]\n]+)\|([^\]\n]+)\]")
_WIKI_BARE_LINK = re.compile(r"\[((?:https?|mailto|ftp):[^\]\s]+)\]")
_WIKI_IMAGE = re.compile(r"!([^!\s|]+\.[A-Za-z0-9]{2,5})(?:\|[^!\n]*)?!")
_WIKI_MONO = re.compile(r"\{\{(.+?)\}\}")
_WIKI_SPANS = tuple(
    re.compile(rf"(?<![\w{m}]){m}(?=\S)([^{m}\n]+?)(?<=\S){m}(?![\w{m}])")
    for m in (r"\*", "_", r"\+", r"\?\?")
)


def wiki_to_text(markup: str) -> str:
    """Plain text of Jira wiki markup: macros and emphasis dropped, links spelled out, code kept."""
    out: list[str] = []
    position = 0
    for match in _WIKI_PRE.finditer(markup):
        out.append(_wiki_prose(markup[position : match.start()]))
        out.append("\n" + match.group(2).strip("\n") + "\n")
        position = match.end()
    out.append(_wiki_prose(markup[position:]))
    text = "".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _wiki_prose(text: str) -> str:
    lines = []
    for line in _WIKI_MACRO.sub("", text).replace("\\\\", "\n").split("\n"):
        line = line.rstrip()
        if _WIKI_RULE.match(line):
            lines.append("---")
            continue
        line = _WIKI_HEADING.sub("", line)
        line = _WIKI_QUOTE.sub("> ", line)
        bullet = _WIKI_LIST.match(line)
        if bullet:
            line = "  " * (len(bullet.group(1)) - 1) + "- " + line[bullet.end() :]
        if line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().replace("||", "|").strip("|").split("|")]
            line = " | ".join(cells)
        line = _WIKI_MENTION.sub(r"@\1", line)
        line = _WIKI_LINK.sub(r"\1 (\2)", line)
        line = _WIKI_BARE_LINK.sub(r"\1", line)
        line = _WIKI_IMAGE.sub(r"[image: \1]", line)
        line = _WIKI_MONO.sub(r"\1", line)
        for span in _WIKI_SPANS:
            line = span.sub(r"\1", line)
        lines.append(line)
    return "\n".join(lines)


def body_text(body: object) -> str:
    """A description or comment body: ADF in v3, wiki markup in v2, absent on many issues."""
    if isinstance(body, str):
        return wiki_to_text(body)
    return adf_to_text(body)


def first_part(text: str, limit: int = _DESCRIPTION_CHARS) -> str:
    """The opening of a long description: enough to say what the ticket is about."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + "…"


def html_to_text(markup: str) -> str:
    """Tags dropped, block ends turned into line breaks, entities decoded."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", markup))).strip()
