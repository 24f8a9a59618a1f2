"""Reasons: why a case or an entity ranks where it does, as data and as short sentences.

A reason is a record (code, feature, value, baseline, p-value); the text is
rendered at the edge from a template per code, with the numbers and the peer
baseline, e.g. "fee 150,000 VND against the posted 50,000" or "9 of this
applicant's 10 dossiers went to this officer (1.2 expected)".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["REASON_COLUMNS", "case_reason_values", "render_case", "render_entity"]

REASON_COLUMNS = ["code", "kind", "feature", "value", "baseline", "p_value", "text"]


def _num(x: float, digits: int = 1) -> str:
    if x is None or not np.isfinite(x):
        return "?"
    if abs(x - round(x)) < 1e-9 or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def _count(x: float, noun: str, plural: str | None = None) -> str:
    """``1 request``, ``3 requests``: a whole count with its noun."""
    return f"{_num(x)} {noun if x == 1 else plural or noun + 's'}"


def _vnd(x: float) -> str:
    return "?" if x is None or not np.isfinite(x) else f"{x:,.0f}"


#: For each case signal: (feature shown as "value", feature shown as "baseline").
CASE_VALUES = {
    "fast": ("timing__duration_wd", "timing__peer_median_wd"),
    "slow": ("timing__duration_wd", "timing__peer_median_wd"),
    "queue_jump": ("timing__queue_jump", "timing__queue_len"),
    "supplements": ("timing__supplements", "timing__supplements_expected"),
    "off_time": ("timing__off_hours", "timing__non_workday"),
    "excess_fee": ("fees__charged", "fees__reference"),
    "waiver": ("fees__charged", "fees__reference"),
    "repeat_pair": ("handlers__pair_cases", "handlers__pair_expected"),
    "self_receipt": ("handlers__receiver_is_handler", "handlers__receiver_is_handler_p"),
    "isolation": ("", ""),
}


#: Co-occurrence signals and the two single signals they join.
COMBOS = {
    "supplements_fast": ("supplements", "fast"),
    "waiver_fast": ("waiver", "fast"),
    "pair_fast": ("repeat_pair", "fast"),
    "pair_jump": ("repeat_pair", "queue_jump"),
    "pair_waiver": ("repeat_pair", "waiver"),
}
CASE_VALUES.update({combo: CASE_VALUES[first] for combo, (first, _) in COMBOS.items()})


def case_reason_values(
    features: pd.DataFrame, rows: np.ndarray, code: str
) -> dict[str, np.ndarray]:
    """The feature values a case reason needs, for the given rows."""
    if code in COMBOS:
        first, second = COMBOS[code]
        return case_reason_values(features, rows, first) | case_reason_values(
            features, rows, second
        )
    want = {
        "fast": ["timing__duration_wd", "timing__peer_median_wd"],
        "slow": [
            "timing__duration_wd",
            "timing__pending_age_wd",
            "timing__peer_median_wd",
            "timing__days_late",
        ],
        "queue_jump": ["timing__queue_jump", "timing__queue_len"],
        "supplements": ["timing__supplements", "timing__supplements_expected"],
        "off_time": ["timing__off_hours", "timing__non_workday", "timing__time_unknown"],
        "excess_fee": ["fees__charged", "fees__reference", "fees__reference_learned"],
        "waiver": ["fees__charged", "fees__reference", "fees__waiver_p"],
        "repeat_pair": [
            "handlers__pair_cases",
            "handlers__applicant_cases",
            "handlers__pair_expected",
        ],
        "self_receipt": ["handlers__receiver_is_handler_p"],
        "isolation": [],
    }[code]
    return {
        c: features[c].to_numpy()[rows] if c in features else np.full(len(rows), np.nan)
        for c in want
    }


def tidy_case_reasons(records: pd.DataFrame) -> pd.DataFrame:
    """Case reason records (``row``, ``code``, ``kind``, ``p_value``, ``text``) without repeats.

    A co-occurrence sentence ("9 of this applicant's 10 dossiers went to this
    officer, and returned in 0.2 working days") replaces the single-signal
    sentences it holds; co-occurrences of one case that share their first part
    become one sentence ("..., and returned in 0.2 working days, peers take 4.1,
    and closed ahead of 3 earlier dossiers still open"), at the smallest p-value.
    """
    case = (records["kind"] == "case").to_numpy()
    combo = case & records["code"].isin(list(COMBOS)).to_numpy()
    if not combo.any():
        return records
    co = records[combo]
    held = pd.DataFrame(
        [(r, part) for r, c in zip(co["row"], co["code"], strict=True) for part in COMBOS[c]],
        columns=["row", "code"],
    ).drop_duplicates()
    marked = records.merge(held.assign(_held=True), on=["row", "code"], how="left")
    keep = ~(marked["_held"].eq(True).to_numpy() & case)
    # co-occurrences sharing their first part: one sentence, the strongest first
    co = co.assign(_first=co["code"].map(lambda c: COMBOS[c][0]))
    co = co.sort_values("p_value", kind="stable")
    joined = co.groupby(["row", "_first"], sort=False)["text"].agg(
        lambda texts: ", and ".join(
            [texts.iloc[0], *(t.split(", and ", 1)[1] for t in texts.iloc[1:])]
        )
    )
    lead = ~co.duplicated(["row", "_first"])
    out = records[keep].copy()
    drop = co.index[~lead.to_numpy()]
    out = out.drop(index=drop.intersection(out.index))
    lead_rows = co[lead.to_numpy()]
    out.loc[lead_rows.index, "text"] = joined.loc[
        list(zip(lead_rows["row"], lead_rows["_first"], strict=True))
    ].to_numpy()
    return out


def render_case(code: str, v: dict[str, np.ndarray], completed: np.ndarray) -> list[str]:
    """Sentences for one case signal over several cases (``v`` from :func:`case_reason_values`)."""
    if code in COMBOS:
        first, second = COMBOS[code]
        a, b = render_case(first, v, completed), render_case(second, v, completed)
        return [f"{x}, and {y}" for x, y in zip(a, b, strict=True)]
    n = len(next(iter(v.values()))) if v else len(completed)
    out = []
    for i in range(n):
        g = {k: a[i] for k, a in v.items()}
        if code == "fast":
            text = f"returned in {_num(g['timing__duration_wd'])} working days, peers take {_num(g['timing__peer_median_wd'])}"
        elif code == "slow":
            if np.isfinite(g["timing__duration_wd"]):
                text = f"took {_num(g['timing__duration_wd'])} working days, peers take {_num(g['timing__peer_median_wd'])}"
            else:
                text = f"still open after {_num(g['timing__pending_age_wd'])} working days, peers take {_num(g['timing__peer_median_wd'])}"
            if g["timing__days_late"] > 0.05:
                text += f" ({_num(g['timing__days_late'])} days late)"
        elif code == "queue_jump":
            text = (
                f"closed ahead of {_count(g['timing__queue_jump'], 'earlier dossier')} still open"
            )
        elif code == "supplements":
            text = f"{_count(g['timing__supplements'], 'request')} for more documents, peers average {_num(g['timing__supplements_expected'], 2)}"
        elif code == "off_time":
            when = pd.Timestamp(completed[i]) if completed is not None else None
            day = "a non-working day" if g["timing__non_workday"] == 1 else "a working day"
            stamp = (
                f" at {when:%H:%M} on {when:%d/%m/%Y}"
                if when is not None and not pd.isna(when)
                else ""
            )
            text = (
                f"completed{stamp}, {day}, outside usual hours"
                if g["timing__off_hours"] == 1
                else f"completed{stamp}, {day}"
            )
        elif code == "excess_fee":
            gap = g["fees__charged"] - g["fees__reference"]
            kind = "usual" if g["fees__reference_learned"] == 1 else "posted"
            if g["fees__reference"] == 0:
                text = f"fee {_vnd(g['fees__charged'])} VND charged on a free procedure"
            else:
                text = f"fee {_vnd(gap)} VND above the {kind} {_vnd(g['fees__reference'])}"
        elif code == "waiver":
            text = f"fee of {_vnd(g['fees__reference'])} VND waived, peers waive {g['fees__waiver_p']:.0%} of these"
        elif code == "repeat_pair":
            text = (
                f"{_num(g['handlers__pair_cases'])} of this applicant's {_num(g['handlers__applicant_cases'])} "
                f"dossiers went to this officer ({_num(g['handlers__pair_expected'])} expected)"
            )
        elif code == "self_receipt":
            text = f"received and processed by the same officer (peers: {g['handlers__receiver_is_handler_p']:.1%})"
        else:
            text = "unusual combination of features (isolation forest)"
        out.append(text)
    return out


ENTITY_PHRASES = {
    "fast": "dossiers handled much faster than peers",
    "slow": "dossiers handled much slower than peers or left open",
    "queue_jump": "dossiers closed ahead of earlier ones",
    "supplements": "dossiers with unusually many requests for documents",
    "off_time": "completions at unusual hours or days",
    "excess_fee": "fees above the posted or usual fee",
    "waiver": "waived fees",
    "repeat_pair": "dossiers from applicants concentrated on one officer",
    "waiver_fast": "waived fees on fast-handled dossiers",
    "supplements_fast": "dossiers with requests for documents yet handled fast",
    "pair_fast": "fast-handled dossiers from concentrated applicants",
    "pair_jump": "queue-jumping dossiers from concentrated applicants",
    "pair_waiver": "waived fees for applicants concentrated on one officer",
    "self_receipt": "dossiers received and processed by the same officer",
}


def render_entity(code: str, observed: float, expected: float, extra: str = "") -> str:
    """One sentence for an entity signal, or a digit-test note."""
    if code == "digits":
        return extra
    return f"{_num(observed)} {ENTITY_PHRASES[code]} against {_num(expected)} expected"
