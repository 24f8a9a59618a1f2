"""The inspection-plan section: who, why, with what probability, which dossiers to pull."""

from __future__ import annotations

import pandas as pd

from .cells import flag_cell, positions, reasons_cell
from .formatting import MISSING, fmt_number, fmt_percent
from .html import Markup, esc, join, paragraph, section, table, tag

__all__ = ["plan_section"]


def _design(plan: pd.DataFrame) -> dict:
    """The plan's design from its attrs, or what its columns tell."""
    design = dict(plan.attrs.get("design", {}))
    by = plan["selected_by"].astype(str)
    design.setdefault("budget", len(plan))
    design.setdefault("n_risk", int((by == "risk").sum()))
    design.setdefault("n_random", int((by == "random").sum()))
    for key in ("n_rest", "n_entities", "random_state"):
        design.setdefault(key, None)
    return design


def plan_section(plan: pd.DataFrame, dossiers: pd.DataFrame | None, anchors: dict, text, lang):
    """The plan: who, why (risk or random), with what probability, and the dossiers to pull.

    ``dossiers`` is :func:`~integrity_signals.plan_dossiers` output (or None);
    ``anchors`` maps case ids shown in the top-dossier section to their anchor.
    """
    level = plan.attrs.get("design", {}).get("level") or next(
        c for c in ("handler_id", "unit_id") if c in plan
    )
    design = _design(plan)
    seed = design["random_state"]
    line = text["plan_design"].format(
        budget=fmt_number(design["budget"], lang),
        n_risk=fmt_number(design["n_risk"], lang),
        n_random=fmt_number(design["n_random"], lang),
        n_rest=fmt_number(design["n_rest"], lang),
        n_entities=fmt_number(design["n_entities"], lang),
        seed=MISSING if seed is None else seed,
    )
    pulled = {}
    if dossiers is not None:
        for entity, group in dossiers.groupby(level, sort=False):
            pulled[entity] = join(
                (
                    tag("a", cid, href=f"#{anchors[cid]}", class_="case")
                    if cid in anchors
                    else esc(cid)
                    for cid in group["case_id"]
                ),
                ", ",
            )
    by_label = {"risk": text["by_risk"], "random": text["by_random"]}
    rows = []
    for i, r in enumerate(plan.to_dict("records"), start=1):
        cells = [fmt_number(i, lang), r[level]]
        if level == "handler_id":
            cells.append(r.get("unit_id", MISSING))
        cells += [
            by_label.get(r["selected_by"], r["selected_by"]),
            fmt_percent(r["inclusion_probability"], lang),
            fmt_number(r.get("risk_score"), lang, 1),
            flag_cell(r.get("flagged", False), text),
            reasons_cell(r.get("reasons")),
            pulled.get(r[level], Markup("")),
        ]
        rows.append((cells, {"class_": "flagged" if r.get("flagged") else None}))
    columns = ["#", text["officer" if level == "handler_id" else "unit"]]
    if level == "handler_id":
        columns.append(text["unit"])
    columns += [text[k] for k in ("selected_by", "inclusion", "risk_score", "flagged", "reasons")]
    columns.append(text["dossiers_to_pull"])
    numeric = (0, *positions(columns, text, ("inclusion", "risk_score")))
    return section(
        "plan",
        text["plan"],
        paragraph(line, class_="note"),
        table(columns, rows, numeric=numeric, ids=positions(columns, text, ("officer", "unit"))),
    )
