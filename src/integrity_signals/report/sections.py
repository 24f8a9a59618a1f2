"""The summary, coverage and ranking sections of the report."""

from __future__ import annotations

import pandas as pd

from ..detectors import SIGNALS
from .cells import flag_cell, positions, reasons_cell
from .formatting import MISSING, fmt_number, fmt_percent
from .html import Markup, esc, join, paragraph, section, table, tag
from .labels import coverage_status, family_label, signal_label

__all__ = ["coverage_section", "entity_section", "summary_section"]

TOP_ENTITIES = 25


def _card(value: str, label: str, sub: str = "") -> Markup:
    parts = [tag("div", value, class_="value"), tag("div", label, class_="label")]
    if sub:
        parts.append(tag("div", sub, class_="sub"))
    return tag("div", join(parts), class_="card")


def summary_section(flags, officers, units, fdr: float, text, lang) -> Markup:
    """Cards with the counts that matter, then how to read the report."""
    flagged = flags["flagged"].to_numpy(dtype=bool)
    money = flags["money_at_stake"].astype(float) if "money_at_stake" in flags else None
    fdr_text = fmt_percent(fdr, lang)

    def of(frame):
        return text["of_n"].format(n=fmt_number(len(frame), lang))

    cards = [
        _card(fmt_number(len(flags), lang), text["cases_scored"]),
        _card(
            fmt_number(flagged.sum(), lang),
            text["flagged_cases"],
            f"{fmt_percent(flagged.mean() if len(flags) else 0.0, lang)} · "
            + text["at_fdr"].format(fdr=fdr_text),
        ),
        _card(fmt_number(officers["flagged"].sum(), lang), text["flagged_officers"], of(officers)),
        _card(fmt_number(units["flagged"].sum(), lang), text["flagged_units"], of(units)),
    ]
    if money is not None:
        total = fmt_number(money.sum(), lang)
        cards.append(
            _card(
                fmt_number(money[flagged].sum(), lang),
                text["money_card"],
                text["money_card_note"].format(total=total),
            )
        )
    return section(
        "summary",
        text["summary"],
        tag("div", join(cards), class_="cards"),
        tag("h3", text["how_to_read"]),
        paragraph(text["how_to_read_text"].format(fdr=fdr_text), class_="howto"),
    )


def coverage_section(coverage: dict, officers: pd.DataFrame, text, lang) -> Markup:
    """One row per signal: family, meaning, available or why not, events against expected."""
    rows = []
    for s in SIGNALS:
        ok, status = coverage_status(coverage.get(f"signal:{s.name}", "ok"), lang)
        obs, exp = f"obs_{s.name}", f"exp_{s.name}"
        events = fmt_number(officers[obs].sum(), lang) if ok and obs in officers else MISSING
        expected = fmt_number(officers[exp].sum(), lang, 1) if ok and exp in officers else MISSING
        status_cell = esc(status) if ok else tag("span", status, class_="na")
        code = tag("code", s.name)
        rows.append(
            [
                signal_label(s.name, lang),
                family_label(s.family, lang),
                code,
                status_cell,
                events,
                expected,
            ]
        )
    columns = [text[k] for k in ("signal", "family", "code", "status", "events", "expected")]
    return section(
        "coverage",
        text["coverage"],
        paragraph(text["coverage_note"], class_="note"),
        table(columns, rows, numeric=(4, 5)),
    )


def _entity_rows(frame: pd.DataFrame, level: str, text, lang) -> list:
    rows = []
    for rec in frame.to_dict("records"):
        cells = [fmt_number(rec["rank"], lang), rec[level]]
        if level == "handler_id":
            cells.append(rec.get("unit_id", MISSING))
        cells += [
            fmt_number(rec["risk_score"], lang, 1),
            flag_cell(rec["flagged"], text),
            fmt_number(rec.get("n_cases"), lang),
            fmt_number(rec.get("n_flagged_cases"), lang),
            fmt_number(rec.get("money_at_stake"), lang),
            reasons_cell(rec.get("reasons")),
        ]
        rows.append((cells, {"class_": "flagged" if rec["flagged"] else None}))
    return rows


def entity_section(frame: pd.DataFrame, level: str, text, lang, *, top: int = TOP_ENTITIES):
    """The ranked officers (``level="handler_id"``) or units, riskiest ``top`` first."""
    anchor, title = (
        ("officers", text["ranked_officers"])
        if level == "handler_id"
        else ("units", text["ranked_units"])
    )
    shown = frame.sort_values("rank", kind="stable").head(top)
    columns = [text["rank"], text["officer" if level == "handler_id" else "unit"]]
    if level == "handler_id":
        columns.append(text["unit"])
    columns += [text[k] for k in ("risk_score", "flagged", "n_cases", "n_flagged_cases", "money")]
    columns.append(text["reasons"])
    numeric = positions(
        columns, text, ("rank", "risk_score", "n_cases", "n_flagged_cases", "money")
    )
    note = text["top_n_of"].format(
        n=fmt_number(len(shown), lang), total=fmt_number(len(frame), lang)
    )
    return section(
        anchor,
        title,
        paragraph(note, class_="note"),
        table(
            columns,
            _entity_rows(shown, level, text, lang),
            numeric=numeric,
            ids=positions(columns, text, ("officer", "unit")),
        ),
    )
