"""The page: template, inline style sheet and the few HTML building blocks.

Text goes into the page only through :func:`esc`, which escapes everything
except :class:`Markup`, the HTML this package built itself. Officer names,
case ids and reasons are user data: they are never marked up, so a hostile
value such as ``<script>`` always lands as text. The page has no script, no
external resource and no web font: it opens offline and prints as it shows.
Its Content-Security-Policy forbids scripts and every load, so that even a
value that slipped through could not run or call out.
"""

from __future__ import annotations

import html
from string import Template

__all__ = [
    "CSP",
    "Markup",
    "details",
    "esc",
    "join",
    "page",
    "paragraph",
    "section",
    "css_string",
    "table",
    "tag",
]


class Markup(str):
    """HTML built by this package: trusted, inserted as is."""

    __slots__ = ()


def esc(value) -> Markup:
    """``value`` as safe HTML: Markup unchanged, anything else escaped (quotes included).

    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> esc(Markup("<b>ok</b>"))
    '<b>ok</b>'
    """
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


def join(parts, sep: str = "") -> Markup:
    """Escape and join."""
    return Markup(sep.join(esc(p) for p in parts))


def tag(name: str, content="", **attrs) -> Markup:
    """``<name attrs>content</name>``; attribute values are escaped (``class_`` for class)."""
    rendered = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"'
        for key, value in attrs.items()
        if value is not None
    )
    return Markup(f"<{name}{rendered}>{esc(content)}</{name}>")


def paragraph(text, class_: str | None = None) -> Markup:
    return tag("p", text, class_=class_)


def section(anchor: str, title, *parts) -> Markup:
    """A titled ``<section id=anchor>``; ``anchor`` is one of ours, never user data."""
    return tag("section", Markup(tag("h2", title) + join(parts)), id=anchor)


def details(summary, content) -> Markup:
    return tag("details", Markup(tag("summary", summary) + esc(content)))


def table(columns, rows, *, numeric=(), ids=(), class_: str | None = None) -> Markup:
    """A table with a sticky header that prints whole and reads as cards on a phone.

    ``columns`` are header labels; ``rows`` are lists of cells (escaped unless
    Markup), a ``(cells, attrs)`` pair to give the ``<tr>`` attributes, or a
    whole ``<tr>`` as Markup. Columns whose position is in ``numeric`` are
    right-aligned, those in ``ids`` (identifiers, dates) do not wrap on a
    screen. Each cell carries its column's label (``data-label``), which a
    narrow screen shows in front of the value instead of the header row.
    """
    head = tag("thead", tag("tr", join(tag("th", c, scope="col") for c in columns)))
    body = []
    for row in rows:
        if isinstance(row, Markup):
            body.append(row)
            continue
        cells, attrs = row if isinstance(row, tuple) else (row, {})
        tds = (
            tag(
                "td",
                cell,
                class_="num" if i in numeric else "id" if i in ids else None,
                data_label=columns[i] if i < len(columns) else None,
            )
            for i, cell in enumerate(cells)
        )
        body.append(tag("tr", join(tds), **attrs))
    return tag(
        "div", tag("table", Markup(head + tag("tbody", join(body))), class_=class_), class_="scroll"
    )


CSS = """
:root { --ink: #1d2433; --muted: #5b6474; --line: #d9dee7; --bg: #f6f7f9; --accent: #1f5fa8;
  --flag: #b3261e; --flag-bg: #fdecea; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; font: 14px/1.45 "Segoe UI", "Noto Sans", "DejaVu Sans", Arial, sans-serif;
  color: var(--ink); background: #fff; overflow-wrap: break-word; }
header { background: var(--ink); color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 6px; font-size: 24px; }
header .meta { color: #cfd6e4; margin: 0; }
main { padding: 8px 32px 32px; max-width: 1400px; }
nav { margin: 12px 0; color: var(--muted); }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; display: inline-block; }
h2 { margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); font-size: 19px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.note { color: var(--muted); margin: 4px 0 10px; }
p.warn { border-left: 4px solid var(--flag); background: var(--flag-bg); padding: 6px 10px; }
.howto { background: var(--bg); border-left: 4px solid var(--accent); padding: 10px 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { flex: 1 1 180px; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.card .value { font-size: 24px; font-weight: 600; }
.card .label { color: var(--muted); }
.card .sub { color: var(--muted); font-size: 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--bg); font-weight: 600; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.id { white-space: nowrap; }
tr.flagged td:first-child { box-shadow: inset 4px 0 0 var(--flag); }
.yes { color: var(--flag); font-weight: 600; }
.na { color: var(--muted); }
.reasons { max-width: 640px; }
.reasons ul { margin: 0; padding-left: 16px; }
tr.evidence td { border-bottom: 2px solid var(--line); padding-top: 0; }
details summary { cursor: pointer; color: var(--accent); }
details table { font-size: 13px; background: var(--bg); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 320px), 1fr));
  gap: 16px; }
.charts figure { margin: 0; min-width: 0; }
.charts figcaption { font-weight: 600; margin-bottom: 4px; }
.charts svg { display: block; width: 100%; max-width: 480px; height: auto; }
svg text { font-family: inherit; fill: var(--ink); }
a.case { color: var(--accent); }
footer { color: var(--muted); border-top: 1px solid var(--line); padding: 12px 32px; font-size: 12px; }
@media (max-width: 720px) {
  header, main, footer { padding-left: 12px; padding-right: 12px; }
  header h1 { font-size: 20px; }
  .scroll { overflow: visible; }
  table, tbody, tr, td { display: block; width: auto; }
  thead { display: none; }
  tbody tr { border-bottom: 2px solid var(--line); padding: 6px 0; }
  td { display: grid; grid-template-columns: minmax(6em, 38%) minmax(0, 1fr); gap: 8px;
    border: 0; padding: 2px 4px; text-align: left; }
  td.num, td.id { text-align: left; white-space: normal; }
  td::before { content: attr(data-label); color: var(--muted); font-weight: 600; }
  tr.evidence td, td[colspan] { display: block; }
  tr.evidence td::before, td[colspan]::before { content: none; }
  tr.flagged td:first-child { box-shadow: none; }
  tr.flagged { box-shadow: inset 4px 0 0 var(--flag); padding-left: 6px; }
  .reasons { max-width: none; }
  dl.facts { grid-template-columns: 1fr; gap: 0; }
  dl.facts dd { margin-bottom: 6px; }
}
@media print {
  body { font-size: 9pt; }
  header { background: none; color: var(--ink); padding: 0 0 12px; }
  header h1 { font-size: 16pt; }
  header .meta { color: var(--muted); }
  nav { display: none; }
  main { padding: 0; max-width: none; }
  footer { padding: 8px 0; }
  section { break-before: page; }
  section#summary { break-before: auto; }
  h2, h3 { break-after: avoid; }
  h2 { margin-top: 0; }
  .scroll { overflow: visible; }
  table { font-size: 8pt; }
  thead { display: table-header-group; }
  thead th { position: static; white-space: normal; }
  th, td { padding: 3px 4px; }
  td.id { white-space: normal; }
  .reasons { max-width: none; }
  tr, figure, .card { break-inside: avoid; }
  tr.evidence { break-before: avoid; }
  details > summary { color: var(--ink); list-style: none; }
  details > summary::-webkit-details-marker { display: none; }
  details > *, details::details-content { display: block; content-visibility: visible; }
  details table { background: none; font-size: 7.5pt; margin: 2px 0 6px; }
  .charts { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  a { color: inherit; text-decoration: none; }
}
"""


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: every character but letters, digits and spaces
    escaped as a code point, so that no value can close the string or the style sheet.

    >>> print(css_string('Q3 "draft" </style>'))
    "Q3 \\22 draft\\22  \\3c \\2f style\\3e "
    """
    escaped = "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def print_css(running_head: str, page_label: str) -> str:
    """The printed page: A4, the title and period at the top of every page, page numbers."""
    return (
        "@page { size: A4; margin: 16mm 11mm 14mm; "
        f"@top-left {{ content: {css_string(running_head)}; font: 8pt sans-serif; color: #5b6474; }} "
        f'@bottom-right {{ content: {css_string(page_label + " ")} counter(page) " / " counter(pages); '
        "font: 8pt sans-serif; color: #5b6474; } }"
    )


#: The page loads nothing and runs nothing: a browser blocks (and reports) any attempt.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_PAGE = Template(
    """<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="$csp">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="integrity_signals">
<title>$title</title>
<style>$css$print_css</style>
</head>
<body>
<header><h1>$title</h1><p class="meta">$meta</p></header>
<main>
$body
</main>
<footer>$footer</footer>
</body>
</html>
"""
)


def page(*, lang: str, title, meta, body, footer, running_head: str, page_label: str) -> str:
    """The whole document; ``lang`` is one of ours, the rest is escaped unless Markup.

    ``running_head`` heads every printed page (the title and the period), next
    to ``page_label`` and the page number.
    """
    return _PAGE.substitute(
        lang=esc(lang),
        title=esc(title),
        meta=esc(meta),
        body=esc(body),
        footer=esc(footer),
        css=CSS,
        print_css=print_css(running_head, page_label),
        csp=esc(CSP),
    )
