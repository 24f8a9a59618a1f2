"""The top-dossier section: the riskiest cases, a few per officer, each with its evidence
folded under it; then the officers' other flagged dossiers, linked from the list."""

from __future__ import annotations

import pandas as pd

from ..formatting import (
    MISSING,
    format_date,
    format_days,
    format_money,
    format_number,
    format_percent,
    format_value,
    rarity,
)
from ..signals import signal
from ..vocabulary import signal_label
from .cells import flag_cell, reasons_cell
from .html import Markup, details, esc, join, paragraph, section, table, tag

__all__ = ["PER_OFFICER", "case_anchors", "choose_dossiers", "dossiers_section", "more_section"]

#: Dossiers per officer in the top list; the officer's other flagged ones are linked.
PER_OFFICER = 3
#: Other flagged dossiers listed per officer after the top list (the rest are in flags.csv).
MORE_PER_OFFICER = 100


#: How the evidence of a case signal is measured, for writing its value and baseline:
#: amounts in dong, durations in working days, a share; counts otherwise. Officer
#: evidence is always a count of events against the number expected.
def case_anchors(case_ids) -> dict:
    """Case id -> the element id of its row (``case-1``, ``case-2``...; never user text)."""
    return {cid: f"case-{i}" for i, cid in enumerate(case_ids, start=1)}


def choose_dossiers(flags: pd.DataFrame, top: int, per_officer: int, plan_cases=()):
    """The dossiers the report lists with their evidence, and each officer's other flagged ones.

    The list is the ``top`` riskiest dossiers, flagged first, at most
    ``per_officer`` of each officer, plus the plan's dossiers to pull
    (``plan_cases``), so that every one of them links to its evidence. Returns
    the list (in that order) and, for the officers in it, their flagged
    dossiers left out (riskiest first).
    """
    ordered = flags.sort_values(["flagged", "rank"], ascending=[False, True], kind="stable")
    officer = ordered["handler_id"].astype(object).fillna(MISSING)
    capped = ordered[(officer.groupby(officer, sort=False).cumcount() < per_officer).to_numpy()]
    chosen = set(capped["case_id"].head(top)) | set(plan_cases)
    keep = ordered["case_id"].isin(chosen).to_numpy()
    shown = ordered[keep]
    in_list = ordered["handler_id"].isin(shown["handler_id"]).to_numpy()
    more = ordered[~keep & in_list & ordered["flagged"].to_numpy(dtype=bool)]
    return shown, more


def _measure(value, unit, lang) -> str:
    if unit == "money":
        return format_money(value, lang)
    if unit == "days":
        return format_days(value, lang)
    if unit == "share":
        return format_percent(value, lang)
    return format_value(value, lang)


def _evidence_table(records: pd.DataFrame | None, text, lang) -> Markup:
    """The ``RiskModel.explain`` records of one case, strongest first; evidence in words."""
    if records is None or records.empty:
        return paragraph(text["no_evidence"], class_="note")
    kinds = {"case": text["kind_case"], "officer": text["kind_officer"]}
    rows = []
    for r in records.to_dict("records"):
        units = ("count", "count") if r["kind"] == "officer" else signal(r["code"]).units
        value, baseline = (
            MISSING if unit is None else _measure(r[key], unit, lang)
            for key, unit in zip(("value", "baseline"), units, strict=True)
        )
        rows.append(
            [
                signal_label(r["code"], lang),
                kinds.get(r["kind"], r["kind"]),
                tag("span", r["text"], class_="model-text"),
                value,
                baseline,
                rarity(r["p_value"], lang, of="officer" if r["kind"] == "officer" else "case"),
            ]
        )
    columns = [text[k] for k in ("signal", "kind", "detail", "value", "baseline", "rarity")]
    return table(columns, rows, numeric=(3, 4))


def _case_cells(r: dict, info: pd.DataFrame, text, lang) -> list:
    cid = r["case_id"]
    known = cid in info.index
    return [
        format_number(r["rank"], lang),
        cid,
        r.get("handler_id", MISSING),
        r.get("unit_id", MISSING),
        info.at[cid, "procedure_id"] if known else MISSING,
        format_date(info.at[cid, "submitted_at"], lang) if known else MISSING,
        format_number(r["risk_score"], lang, 2),  # a dossier's: a probability
        flag_cell(r["flagged"], text),
        format_number(r.get("money_at_stake"), lang),
        reasons_cell(r.get("reasons")),
    ]


_CASE_COLUMNS = ("rank", "case_id", "officer", "unit", "procedure", "submitted", "risk_score",
                 "flagged", "money", "reasons")  # fmt: skip


def _more_anchors(more: pd.DataFrame) -> dict:
    """Officer id -> the element id of its list of other flagged dossiers (never user text)."""
    officers = pd.unique(more["handler_id"].astype(object))
    return {officer: f"more-{i}" for i, officer in enumerate(officers, start=1)}


def dossiers_section(
    shown: pd.DataFrame, more: pd.DataFrame, cases, evidence: dict, anchors: dict, text, lang
) -> Markup:
    """The dossiers of :func:`choose_dossiers`, each with its ``explain`` evidence folded in.

    ``evidence`` maps a case id to its ``explain`` records (None when the case
    is not in the batch); ``more`` are the officers' flagged dossiers left
    out, linked from a line under the note.
    """
    info = cases.drop_duplicates("case_id").set_index("case_id")
    columns = [text[k] for k in _CASE_COLUMNS]
    rows = []
    for r in shown.to_dict("records"):
        cid = r["case_id"]
        rows.append(
            (
                _case_cells(r, info, text, lang),
                {"id": anchors[cid], "class_": "flagged" if r["flagged"] else None},
            )
        )
        records = evidence.get(cid)
        n = 0 if records is None else len(records)
        summary = f"{text['evidence']} ({text['n_items'].format(n=format_number(n, lang))})"
        folded = details(summary, _evidence_table(records, text, lang))
        rows.append(
            Markup(tag("tr", tag("td", folded, colspan=str(len(columns))), class_="evidence"))
        )
    note = text["top_dossiers_note"].format(
        n=format_number(len(shown), lang), per=format_number(PER_OFFICER, lang)
    )
    parts = [paragraph(note, class_="note")]
    if len(more):
        counts = more.groupby(more["handler_id"].astype(object), sort=False).size()
        links = join(
            (
                tag(
                    "a",
                    text["more_link"].format(officer=officer, n=format_number(n, lang)),
                    href=f"#{anchor}",
                )
                for (officer, anchor), n in zip(
                    _more_anchors(more).items(), counts.to_numpy(), strict=True
                )
            ),
            ", ",
        )
        parts.append(tag("p", Markup(esc(text["more_note"]) + " " + links), class_="note"))
    body = (
        table(columns, rows, numeric=(0, 6, 8), ids=(1, 2, 3, 4, 5))
        if rows
        else paragraph(text["none"])
    )
    return section("dossiers", text["top_dossiers"], *parts, body)


def more_section(more: pd.DataFrame, cases, text, lang) -> Markup:
    """Each listed officer's other flagged dossiers (up to :data:`MORE_PER_OFFICER`)."""
    if not len(more):
        return Markup("")
    info = cases.drop_duplicates("case_id").set_index("case_id")
    columns = [text[k] for k in _CASE_COLUMNS]
    parts = [
        paragraph(
            text["more_dossiers_note"].format(per=format_number(PER_OFFICER, lang)), class_="note"
        )
    ]
    officer = more["handler_id"].astype(object)
    for name, anchor in _more_anchors(more).items():
        group = more[(officer == name).to_numpy()]
        rows = [
            (_case_cells(r, info, text, lang), {"class_": "flagged"})
            for r in group.head(MORE_PER_OFFICER).to_dict("records")
        ]
        parts.append(tag("h3", f"{text['officer']} {name}", id=anchor))
        parts.append(table(columns, rows, numeric=(0, 6, 8), ids=(1, 2, 3, 4, 5)))
        rest = len(group) - MORE_PER_OFFICER
        if rest > 0:
            parts.append(
                paragraph(text["more_truncated"].format(n=format_number(rest, lang)), class_="note")
            )
    return section("more", text["more_dossiers"], *parts)
