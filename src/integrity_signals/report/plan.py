"""The inspection-plan section: who, why, with what probability, which dossiers to pull."""

from __future__ import annotations

import pandas as pd

from ..formatting import MISSING, format_number, format_percent
from ..planning import random_picks_advice
from .cells import flag_cell, positions, reasons_cell
from .html import Markup, esc, join, paragraph, section, table, tag

__all__ = ["plan_section"]


def _few_random(advice: dict, text, lang) -> str:
    """The warning that the random part is too small to estimate the problem rate, and the fix."""
    how = []
    if advice["random_share"] is not None:
        how.append(
            text["plan_more_share"].format(share=format_percent(advice["random_share"], lang))
        )
    if advice["budget"] is not None:
        how.append(text["plan_more_budget"].format(budget=format_number(advice["budget"], lang)))
    return text["plan_few_random"].format(
        n_random=format_number(advice["n_random"], lang),
        needed=format_number(advice["needed"], lang),
        how=f" {text['or']} ".join(how),
    )


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
        budget=format_number(design["budget"], lang),
        n_risk=format_number(design["n_risk"], lang),
        n_random=format_number(design["n_random"], lang),
        n_rest=format_number(design["n_rest"], lang),
        n_entities=format_number(design["n_entities"], lang),
        seed=MISSING if seed is None else seed,
    )
    notes = [paragraph(line, class_="note")]
    advice = random_picks_advice(
        design["budget"], design.get("random_share"), design["n_entities"], design["n_random"]
    )
    if advice is not None:
        notes.append(paragraph(_few_random(advice, text, lang), class_="warn"))
    pulled = {}
    if dossiers is not None:
        for entity, group in dossiers.groupby(level, sort=False):
            links = (
                tag("a", cid, href=f"#{anchors[cid]}", class_="case")
                if cid in anchors
                else esc(cid)
                for cid in group["case_id"]
            )
            pulled[entity] = tag("span", join(links, ", "))  # one block, also in a card
    by_label = {"risk": text["by_risk"], "random": text["by_random"]}
    rows = []
    for i, r in enumerate(plan.to_dict("records"), start=1):
        cells = [format_number(i, lang), r[level]]
        if level == "handler_id":
            cells.append(r.get("unit_id", MISSING))
        cells += [
            by_label.get(r["selected_by"], r["selected_by"]),
            format_percent(r["inclusion_probability"], lang),
            format_number(r.get("risk_score"), lang, 1),
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
        *notes,
        table(columns, rows, numeric=numeric, ids=positions(columns, text, ("officer", "unit"))),
    )
