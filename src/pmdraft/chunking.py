"""Event-aligned chunks sized in tokens, for the map calls.

A chunk is a run of whole events (one line each, behind a short alias such as ``E12`` that a small
model can copy reliably). Lines are compact because every map call pays for them: the time is
``HH:MM`` (the date only where the day changes; the chunk's first day goes into its prompt), the
kind only for records that are not chat messages. An event too long for one chunk is split into
parts with langchain-text-splitters; every part keeps its alias, so a claim about it still cites the
event.
The last few events of a chunk open the next one as context, so a reply that spans a boundary is
seen whole at least once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from pmdraft.errors import ConfigError
from pmdraft.events import Event, EventKind

#: Context windows of model families, by name prefix (longest match wins); others get the default.
_CONTEXT_BY_PREFIX: dict[str, int] = {
    "gpt-4o": 128_000,
    "gpt-4.1": 1_000_000,
    "gpt-4-turbo": 128_000,
    "gpt-4": 8_192,
    "gpt-3.5": 16_385,
    "gpt-5": 400_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4": 200_000,
}
DEFAULT_CONTEXT = 8_192
#: (event id, line, tokens, UTC day of the event) for one line of a chunk.
_Unit = tuple[str, str, int, str]
#: Chunks larger than this do not make map calls better, only slower and less thorough.
MAX_CHUNK_TOKENS = 12_000
MIN_CHUNK_TOKENS = 128


@dataclass(frozen=True, slots=True)
class Chunk:
    """The events of one map call, rendered as the lines the model sees."""

    index: int
    event_ids: tuple[str, ...]
    lines: tuple[str, ...]
    tokens: int
    #: The UTC date (YYYY-MM-DD) of the chunk's first line; later lines carry a date where it changes.
    day: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def context_window(model: str | None, configured: int | None) -> int:
    """The configured window, else the known one for the model family, else a conservative default."""
    if configured:
        return configured
    name = (model or "").lower().split("/")[-1]
    best = ""
    for prefix in _CONTEXT_BY_PREFIX:
        if name.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return _CONTEXT_BY_PREFIX[best] if best else DEFAULT_CONTEXT


def chunk_budget(context: int, overhead: int, max_output: int, configured: int | None) -> int:
    """Event tokens per chunk: what the window leaves after prompt and reply, capped."""
    room = context - overhead - max_output
    budget = min(configured or MAX_CHUNK_TOKENS, room)
    if budget < MIN_CHUNK_TOKENS:
        raise ConfigError(
            f"The model's context ({context} tokens) leaves {room} tokens for events after the prompt "
            f"({overhead}) and the reply ({max_output}); raise context_tokens or lower max_output_tokens."
        )
    return budget


def event_line(alias: str, event: Event, text: str | None = None, part: str = "", dated: bool = False) -> str:
    """One event as the model sees it, ``E12 | 22:46 [kind] who: text``; newlines folded so one
    event is one line. ``dated`` puts the UTC date before the time (where the day changes)."""
    body = " ".join((event.text if text is None else text).split())
    when = event.time.strftime("%Y-%m-%d %H:%M" if dated else "%H:%M")
    kind = "" if event.kind is EventKind.CHAT else f" [{event.kind.value}]"
    return f"{alias}{part} | {when}{kind} {event.actor.name}: {body}"


def chunk_events(
    events: Sequence[Event],
    aliases: Sequence[str],
    budget: int,
    count: Callable[[str], int],
    overlap_events: int = 2,
) -> list[Chunk]:
    """Cut the stream into chunks of at most ``budget`` tokens without cutting an event in two
    (unless that event alone exceeds the budget, when it is split into parts)."""
    if len(events) != len(aliases):
        raise ValueError("one alias per event is required")
    units: list[_Unit] = []
    previous_day = ""
    for event, alias in zip(events, aliases, strict=True):
        day = event.time.strftime("%Y-%m-%d")
        dated, previous_day = day != previous_day, day
        line = event_line(alias, event, dated=dated)
        tokens = count(line)
        if tokens <= budget:
            units.append((event.id, line, tokens, day))
        else:
            units.extend(_split_event(event, alias, budget, count, dated))
    chunks: list[Chunk] = []
    current: list[_Unit] = []
    size = 0
    fresh = 0  # units in `current` that no earlier chunk has shown
    for unit in units:
        if current and size + unit[2] + 1 > budget:
            chunks.append(_make_chunk(len(chunks), current))
            current = _overlap(current, overlap_events, budget // 4)
            size = sum(u[2] + 1 for u in current)
            fresh = 0
            while current and size + unit[2] + 1 > budget:
                size -= current[0][2] + 1
                current.pop(0)
        current.append(unit)
        size += unit[2] + 1
        fresh += 1
    if current and fresh:
        chunks.append(_make_chunk(len(chunks), current))
    return chunks


def _overlap(units: list[_Unit], count: int, limit: int) -> list[_Unit]:
    kept: list[_Unit] = []
    size = 0
    for unit in reversed(units[-count:] if count else []):
        if size + unit[2] > limit:
            break
        kept.insert(0, unit)
        size += unit[2] + 1
    return kept


def _split_event(
    event: Event, alias: str, budget: int, count: Callable[[str], int], dated: bool
) -> list[_Unit]:
    header = count(event_line(alias, event, text="", part=" (part 99/99)", dated=dated))
    room = max(budget - header - 1, 16)
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=room,
        chunk_overlap=min(32, room // 8),
        length_function=count,
        separators=["\n\n", "\n", ". ", " ", ""],
    )
    pieces = splitter.split_text(event.text)
    out: list[_Unit] = []
    day = event.time.strftime("%Y-%m-%d")
    for i, piece in enumerate(pieces, 1):
        line = event_line(alias, event, text=piece, part=f" (part {i}/{len(pieces)})", dated=dated and i == 1)
        out.append((event.id, line, count(line), day))
    return out


def _make_chunk(index: int, units: list[_Unit]) -> Chunk:
    ids = tuple(dict.fromkeys(u[0] for u in units))
    return Chunk(
        index=index,
        event_ids=ids,
        lines=tuple(u[1] for u in units),
        tokens=sum(u[2] for u in units) + max(len(units) - 1, 0),
        day=units[0][3] if units else "",
    )
