"""Table cells shared by the sections: flags, reason lists, column positions."""

from __future__ import annotations

from .html import Markup, esc, join, tag

__all__ = ["flag_cell", "positions", "reasons_cell"]


def flag_cell(flagged, text) -> Markup:
    """A red "yes" or a plain "no"."""
    if bool(flagged):
        return tag("span", text["yes"], class_="yes")
    return esc(text["no"])


def reasons_cell(reasons) -> Markup:
    """The model's reason sentences ("; "-joined) as a list; empty for none."""
    if not isinstance(reasons, str) or not reasons.strip():
        return Markup("")
    items = [r.strip() for r in reasons.split("; ") if r.strip()]
    if len(items) == 1:
        return tag("div", items[0], class_="reasons")
    return tag("div", tag("ul", join(tag("li", r) for r in items)), class_="reasons")


def positions(columns: list, text, keys) -> tuple[int, ...]:
    """Positions of the labelled columns present (to align numbers, keep ids on one line)."""
    return tuple(columns.index(text[k]) for k in keys if text[k] in columns)
