"""The draft as GitHub-flavoured Markdown, for review before the post-mortem meeting.

The layout lives in a Jinja2 template, ``templates/postmortem.md.j2``; teams can pass their own
(``pmdraft draft --template my.md.j2``, see docs/templates.md). This module holds what a template
cannot do well: footnote numbering, escaping, times in the display zone, the incident's phases.

Incident text is untrusted (pasted logs, chat), so templates render in a sandbox and every ``{{ value }}``
is written as one safe Markdown line (``inline``: no markup, HTML, links or comments survive, pipes
are escaped for table cells). Helpers that produce Markdown on purpose (``refs``, ``code``, ``url``) mark
their output safe. A chat message therefore cannot inject markup, links or the hash comment ``write.py``
relies on, in the default template or a team's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from pmdraft.errors import ConfigError
from pmdraft.render.html import display_zone
from pmdraft.render.timeline import zone_label
from pmdraft.schema import CitedEvent, PostMortem

__all__ = ["Footnote", "Phase", "inline_markdown", "load_template", "render_markdown"]

DEFAULT_TEMPLATE = "postmortem.md.j2"
_ESCAPE = re.compile(r"([\\`*_\[\]|#~!])")
_PHASES = (("start", "Start"), ("detected", "Detected"), ("mitigated", "Mitigated"), ("resolved", "Resolved"))


def inline_markdown(text: str, limit: int | None = None) -> str:
    """Source or model text as one safe Markdown line: no markup, HTML, links or comments survive."""
    flat = " ".join(text.split())
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ESCAPE.sub(r"\\\1", flat)


def _code(text: str) -> str:
    return text.replace("`", "'").replace("\n", " ")


def _url(url: str) -> str:
    """Only http(s) links, with characters that would end the Markdown link percent-encoded."""
    if not url.lower().startswith(("https://", "http://")):
        return ""
    return (
        url.replace(" ", "%20")
        .replace("(", "%28")
        .replace(")", "%29")
        .replace("<", "%3C")
        .replace(">", "%3E")
    )


@dataclass(frozen=True)
class Footnote:
    """A footnote definition to write: its number and the cited event it quotes."""

    number: int
    event: CitedEvent


@dataclass(frozen=True)
class Phase:
    """One phase boundary for the diagram; ``gap`` is the time since the previous known one."""

    key: str
    label: str
    at: datetime | None
    gap: str | None


class _Notes:
    """Footnote numbers in order of first citation, for ids the draft carries copies of."""

    def __init__(self, pm: PostMortem) -> None:
        self.cited = {c.id: c for c in pm.cited_events}
        self.order: dict[str, int] = {}
        self.missing: list[str] = []

    def refs(self, ids: Iterable[str]) -> Markup:
        """``[^n]`` markers for ``ids`` (numbered on first use); ids the draft lacks as inline code."""
        out: list[str] = []
        for i in dict.fromkeys(ids):
            if i not in self.cited:
                if i not in self.missing:
                    self.missing.append(i)
                out.append(f"`{_code(i)}`")
                continue
            n = self.order.setdefault(i, len(self.order) + 1)
            out.append(f"[^{n}]")
        return Markup("".join(out))

    def footnotes(self) -> list[Footnote]:
        return [Footnote(n, self.cited[i]) for i, n in self.order.items()]

    def uncited(self) -> list[str]:
        return list(self.missing)


def _span(minutes: float) -> str:
    whole = round(minutes)
    if whole == 0:
        return "under 1 min" if minutes > 0 else "0 min"
    days, rest = divmod(whole, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    return " ".join(p for p in parts if p)


def phases(pm: PostMortem) -> list[Phase]:
    """Start, detection, mitigation, resolution with the time between consecutive known ones."""
    out: list[Phase] = []
    previous: datetime | None = None
    for key, label in _PHASES:
        at = getattr(pm.times, key).at
        gap = None
        if at is not None and previous is not None and at >= previous:
            gap = _span((at - previous).total_seconds() / 60)
        out.append(Phase(key, label, at, gap))
        previous = at
    return out


# --- filters --------------------------------------------------------------------------------------


def _finalize(value: object) -> object:
    """Every ``{{ value }}`` that is not already safe Markdown becomes one escaped line."""
    if isinstance(value, Markup):
        return value
    return Markup(inline_markdown(str(value)))


def _f_inline(text: object, limit: int | None = None) -> Markup:
    return Markup(inline_markdown("" if text is None else str(text), limit))


def _f_code(text: object) -> Markup:
    return Markup(_code(str(text)))


def _f_url(url: object) -> Markup:
    return Markup(_url(url)) if isinstance(url, str) else Markup("")


def _zone(ctx: jinja2.runtime.Context) -> tzinfo:
    zone = ctx.get("zone")
    if not isinstance(zone, tzinfo):
        raise jinja2.TemplateRuntimeError("the variable 'zone' was replaced; time filters need it")
    return zone


@jinja2.pass_context
def _f_when(ctx: jinja2.runtime.Context, moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(_zone(ctx))
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or zone_label(_zone(ctx))}"


@jinja2.pass_context
def _f_day(ctx: jinja2.runtime.Context, moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone(_zone(ctx)):%Y-%m-%d}"


@jinja2.pass_context
def _f_clock(ctx: jinja2.runtime.Context, moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(_zone(ctx))
    return f"{local:%H:%M:%S} {local.tzname() or ''}".rstrip()


def _environment(loader: jinja2.BaseLoader) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(inline=_f_inline, code=_f_code, url=_f_url, when=_f_when, day=_f_day, clock=_f_clock)
    return env


_PACKAGED = jinja2.PackageLoader("pmdraft.render", "templates")


@cache
def _default_environment() -> SandboxedEnvironment:
    return _environment(_PACKAGED)


# --- templates ------------------------------------------------------------------------------------


def _one_line(err: BaseException) -> str:
    if isinstance(err, jinja2.TemplatesNotFound):
        text = f"no template {', '.join(map(repr, err.templates))} next to it or among pmdraft's"
    elif isinstance(err, jinja2.TemplateNotFound):
        text = f"no template {err.name!r} next to it or among pmdraft's"
    elif isinstance(err, jinja2.TemplateError):
        text = str(err.message or err)
    else:
        text = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    return " ".join(text.split())


def _line_in(tb: TracebackType | None, filename: str | None) -> int | None:
    """The innermost traceback line that belongs to ``filename`` (Jinja maps frames to template lines)."""
    line = None
    while tb is not None:
        if filename and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _template_error(path: Path, err: BaseException, filename: str | None) -> ConfigError:
    where: str | Path = path
    line: int | None
    if isinstance(err, jinja2.TemplateSyntaxError):
        line = err.lineno
        if err.filename and filename and err.filename != filename:
            where = err.filename
    else:
        line = _line_in(err.__traceback__, filename)
    at = f"line {line}: " if line else ""
    return ConfigError(f"{where}: {at}{_one_line(err)}")


def load_template(path: Path) -> jinja2.Template:
    """A team's Markdown template, compiled in the sandbox; files next to it and pmdraft's own
    templates (``postmortem.md.j2``, ``macros.md.j2``) can be included or imported. Raises ConfigError."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such template file")
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(path.parent)), _PACKAGED])
    try:
        return _environment(loader).get_template(path.name)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text") from None
    except jinja2.TemplateError as e:
        raise _template_error(path, e, str(Path(path.parent, path.name))) from None


def render_markdown(pm: PostMortem, template: Path | None = None) -> str:
    """The whole draft as Markdown text (ends with one newline, no trailing spaces on any line).

    ``template`` is a team's own Jinja2 template; a mistake in it is a ConfigError naming its line."""
    zone = display_zone(pm)
    notes = _Notes(pm)
    variables: dict[str, Any] = {
        "pm": pm,
        "zone": zone,
        "zone_name": zone_label(zone),
        "phases": phases(pm),
        "refs": notes.refs,
        "footnotes": notes.footnotes,
        "uncited": notes.uncited,
    }
    if template is None:
        text = _default_environment().get_template(DEFAULT_TEMPLATE).render(variables)
    else:
        compiled = load_template(template)
        try:
            text = compiled.render(variables)
        except Exception as e:  # any failure inside a team's template is that template's error
            raise _template_error(template, e, compiled.filename) from None
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines()) + "\n"
