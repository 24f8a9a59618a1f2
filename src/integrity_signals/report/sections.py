"""The summary, coverage and ranking sections of the report."""

from __future__ import annotations

import pandas as pd

from ..detectors import SIGNALS
from ..formatting import MISSING, format_date, format_money, format_number, format_percent
from ..vocabulary import column_label, coverage_columns, family_label, reject_label, signal_label
from .cells import flag_cell, positions, reasons_cell
from .html import Markup, esc, join, paragraph, section, table, tag

__all__ = ["coverage_section", "entity_section", "period_text", "summary_section"]

TOP_ENTITIES = 25


def _card(value: str, label: str, sub: str = "") -> Markup:
    parts = [tag("div", value, class_="value"), tag("div", label, class_="label")]
    if sub:
        parts.append(tag("div", sub, class_="sub"))
    return tag("div", join(parts), class_="card")


def _not_applicable(coverage: dict, text, lang) -> list[str]:
    """Each signal the data cannot show, with the columns it lacks (grouped by them)."""
    missing: dict[tuple[str, ...], list[str]] = {}
    for s in SIGNALS:
        columns = coverage_columns(coverage.get(f"signal:{s.name}", "ok"))
        if columns is not None:
            missing.setdefault(tuple(columns), []).append(signal_label(s.name, lang))
    return [
        f"{', '.join(names)} ({_missing_columns(columns, text, lang)})"
        for columns, names in missing.items()
    ]


def _missing_columns(columns, text, lang) -> str:
    return text["missing_columns"].format(columns=", ".join(column_label(c, lang) for c in columns))


def period_text(cases: pd.DataFrame, text, lang) -> str:
    """The first and last dates received: "02/01/2025 đến 31/12/2025"."""
    submitted = cases["submitted_at"]
    return f"{format_date(submitted.min(), lang)} {text['to']} {format_date(submitted.max(), lang)}"


def _facts(batch, coverage: dict, text, lang) -> Markup:
    """Rows read, scored and quarantined by reason; the period; signals not applicable."""
    cases = batch.cases
    rejected = batch.rejects.drop_duplicates("row")["reason"].astype(str).value_counts()
    rejected = rejected.sort_index().sort_values(ascending=False, kind="stable")
    quarantined = format_number(batch.n_rejected, lang)
    if batch.n_rejected:
        by_reason = "; ".join(
            f"{format_number(n, lang)} {reject_label(reason, lang)}"
            for reason, n in rejected.items()
        )
        quarantined = f"{quarantined}: {by_reason}"
    else:
        quarantined = f"{quarantined} ({text['quarantine_none']})"
    na = _not_applicable(coverage, text, lang)
    facts = [
        ("rows_read", format_number(batch.n_input, lang)),
        ("rows_scored", format_number(len(cases), lang)),
        ("rows_quarantined", quarantined),
        ("period_submitted", period_text(cases, text, lang)),
        ("signals_na", "; ".join(na) if na else text["signals_na_none"]),
    ]
    items = join(Markup(tag("dt", text[key]) + tag("dd", value)) for key, value in facts)
    return tag("dl", items, class_="facts")


def summary_section(batch, flags, officers, units, model, text, lang) -> Markup:
    """Cards with the counts that matter, the data behind them, then how to read the report."""
    flagged = flags["flagged"].to_numpy(dtype=bool)
    money = flags["money_at_stake"].astype(float) if "money_at_stake" in flags else None
    fdr_text = format_percent(model.fdr, lang)

    def of(frame):
        return text["of_n"].format(n=format_number(len(frame), lang))

    cards = [
        _card(format_number(len(flags), lang), text["cases_scored"], _of_rows(batch, text, lang)),
        _card(
            format_number(flagged.sum(), lang),
            text["flagged_cases"],
            f"{format_percent(flagged.mean() if len(flags) else 0.0, lang)} · "
            + text["at_fdr"].format(fdr=fdr_text),
        ),
        _card(
            format_number(officers["flagged"].sum(), lang), text["flagged_officers"], of(officers)
        ),
        _card(format_number(units["flagged"].sum(), lang), text["flagged_units"], of(units)),
    ]
    if money is not None:
        cards.append(
            _card(
                format_money(money[flagged].sum(), lang),
                text["money_card"],
                text["money_card_note"].format(total=format_money(money.sum(), lang)),
            )
        )
    how = text["how_to_read_text"].format(fdr=fdr_text)
    return section(
        "summary",
        text["summary"],
        tag("div", join(cards), class_="cards"),
        tag("h3", text["data"]),
        _facts(batch, model.coverage_, text, lang),
        tag("h3", text["how_to_read"]),
        paragraph(how, class_="howto"),
    )


def _of_rows(batch, text, lang) -> str:
    """The rows read ("of 33 rows read") when some were quarantined, else nothing."""
    if not batch.n_rejected:
        return ""
    return text["of_rows_read"].format(n=format_number(batch.n_input, lang))


def coverage_section(coverage: dict, officers: pd.DataFrame, text, lang) -> Markup:
    """One row per signal: family, meaning, available or why not, events against expected."""
    rows = []
    for s in SIGNALS:
        columns = coverage_columns(coverage.get(f"signal:{s.name}", "ok"))
        ok = columns is None
        obs, exp = f"obs_{s.name}", f"exp_{s.name}"
        events = format_number(officers[obs].sum(), lang) if ok and obs in officers else MISSING
        expected = (
            format_number(officers[exp].sum(), lang, 1) if ok and exp in officers else MISSING
        )
        if ok:
            status_cell = esc(text["available"])
        else:
            status = f"{text['not_applicable']}: {_missing_columns(columns, text, lang)}"
            status_cell = tag("span", status, class_="na")
        rows.append(
            (
                [
                    signal_label(s.name, lang),
                    family_label(s.family, lang),
                    status_cell,
                    events,
                    expected,
                ],
                {"data_signal": s.name},
            )
        )
    columns = [text[k] for k in ("signal", "family", "status", "events", "expected")]
    return section(
        "coverage",
        text["coverage"],
        paragraph(text["coverage_note"], class_="note"),
        table(columns, rows, numeric=(3, 4)),
    )


def _entity_rows(frame: pd.DataFrame, level: str, text, lang) -> list:
    rows = []
    for rec in frame.to_dict("records"):
        cells = [format_number(rec["rank"], lang), rec[level]]
        if level == "handler_id":
            cells.append(rec.get("unit_id", MISSING))
        cells += [
            format_number(rec["risk_score"], lang, 1),
            flag_cell(rec["flagged"], text),
            format_number(rec.get("n_cases"), lang),
            format_number(rec.get("n_flagged_cases"), lang),
            format_number(rec.get("money_at_stake"), lang),
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
        n=format_number(len(shown), lang), total=format_number(len(frame), lang)
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
