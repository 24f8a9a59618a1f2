"""The top-dossier section: the riskiest cases and, folded under each, its evidence."""

from __future__ import annotations

import pandas as pd

from .cells import flag_cell, reasons_cell
from .formatting import MISSING, fmt_date, fmt_number, fmt_pvalue, fmt_value
from .html import Markup, details, paragraph, section, table, tag
from .labels import signal_label

__all__ = ["case_anchors", "dossiers_section"]


def case_anchors(case_ids) -> dict:
    """Case id -> the element id of its row (``case-1``, ``case-2``...; never user text)."""
    return {cid: f"case-{i}" for i, cid in enumerate(case_ids, start=1)}


def _evidence_table(records: pd.DataFrame | None, text, lang) -> Markup:
    """The ``RiskModel.explain`` records of one case, strongest first."""
    if records is None or records.empty:
        return paragraph(text["no_evidence"], class_="note")
    kinds = {"case": text["kind_case"], "officer": text["kind_officer"]}
    rows = [
        [
            signal_label(r["code"], lang),
            kinds.get(r["kind"], r["kind"]),
            r["text"],
            fmt_value(r["value"], lang),
            fmt_value(r["baseline"], lang),
            fmt_pvalue(r["p_value"], lang),
            tag("code", r["feature"]),
        ]
        for r in records.to_dict("records")
    ]
    columns = [text[k] for k in ("signal", "kind", "detail", "value", "baseline", "p_value")]
    columns.append(text["feature"])
    return table(columns, rows, numeric=(3, 4, 5))


def dossiers_section(
    top: pd.DataFrame, cases: pd.DataFrame, evidence: dict, anchors: dict, text, lang
) -> Markup:
    """``top`` rows of ``RiskModel.score`` with details from ``cases`` and ``evidence``.

    ``evidence`` maps a case id to its ``explain`` records (None when the case
    is not in the batch).
    """
    info = cases.drop_duplicates("case_id").set_index("case_id")
    columns = [
        text[k]
        for k in (
            "rank",
            "case_id",
            "officer",
            "unit",
            "procedure",
            "submitted",
            "risk_score",
            "flagged",
            "money",
            "reasons",
        )
    ]
    rows = []
    for r in top.to_dict("records"):
        cid = r["case_id"]
        known = cid in info.index
        cells = [
            fmt_number(r["rank"], lang),
            cid,
            r.get("handler_id", MISSING),
            r.get("unit_id", MISSING),
            info.at[cid, "procedure_id"] if known else MISSING,
            fmt_date(info.at[cid, "submitted_at"], lang) if known else MISSING,
            fmt_number(r["risk_score"], lang, 1),
            flag_cell(r["flagged"], text),
            fmt_number(r.get("money_at_stake"), lang),
            reasons_cell(r.get("reasons")),
        ]
        rows.append((cells, {"id": anchors[cid], "class_": "flagged" if r["flagged"] else None}))
        records = evidence.get(cid)
        n = 0 if records is None else len(records)
        summary = f"{text['evidence']} ({text['n_items'].format(n=fmt_number(n, lang))})"
        folded = details(summary, _evidence_table(records, text, lang))
        rows.append(
            Markup(tag("tr", tag("td", folded, colspan=str(len(columns))), class_="evidence"))
        )
    note = text["top_dossiers_note"].format(n=fmt_number(len(top), lang))
    body = (
        table(columns, rows, numeric=(0, 6, 8), ids=(1, 2, 3, 4, 5))
        if rows
        else paragraph(text["none"])
    )
    return section("dossiers", text["top_dossiers"], paragraph(note, class_="note"), body)
