"""Reasons: why a case or an entity ranks where it does, as records and as short sentences.

A reason is a record (code, kind, feature, value, baseline, p-value) and its
sentence, rendered from the signal registry (:mod:`~integrity_signals.signals`)
in the reader's language: "fee 150,000 VND above the posted 50,000";
"returned in 1 working day; peers take 9"; "officer: 41 dossiers returned much
faster than peers against 6 expected". Reasons name only evidence that raises
risk, strongest first; :meth:`~integrity_signals.RiskModel.explain` lists all
the evidence about a case, neutral findings included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scoring.record import record_label
from .signals import ISOLATION, SIGNALS

__all__ = [
    "REASON_COLUMNS",
    "case_reason_records",
    "case_reasons",
    "entity_reasons",
    "tidy_case_reasons",
]

REASON_COLUMNS = ["code", "kind", "feature", "value", "baseline", "p_value", "text"]

#: Entity reasons: signals whose test is at most this (and whose events exceed the expected).
ENTITY_REASON_P = 0.01
#: A notable entity with no such signal is given its strongest one, if its test is at most this.
WEAK_REASON_P = 0.2
_OFFICER = {"en": "officer: ", "vi": "cán bộ: "}
_JOIN = {"en": ", and ", "vi": ", và "}


def _values(features: pd.DataFrame, rows: np.ndarray, sig) -> dict[str, np.ndarray]:
    return {
        c: features[c].to_numpy()[rows] if c in features else np.full(len(rows), np.nan)
        for c in sig.features_needed()
    }


def _column(features: pd.DataFrame, name: str, rows: np.ndarray) -> np.ndarray:
    return (
        features[name].to_numpy(dtype=np.float64)[rows]
        if name in features
        else np.full(len(rows), np.nan)
    )


def case_reason_records(
    ev, rows: np.ndarray, alpha: float, lang: str = "en", *, everything: bool = False
) -> pd.DataFrame:
    """Reason records (``row`` + :data:`REASON_COLUMNS`) of some cases of a scored batch.

    A case's own signals with a p-value at most ``alpha``, its officer's test
    where the case is one of the officer's events and the officer's excess
    (at most ``alpha``) is real, and the isolation forest at most ``alpha``.
    ``everything=True`` lists every applicable signal of the case, whatever its
    p-value (for :meth:`~integrity_signals.RiskModel.explain`).
    """
    features, officer = ev.features, ev.officers
    completed = ev.cases["completed_at"].to_numpy()[rows] if "completed_at" in ev.cases else None
    p, context = ev.p_case[rows], ev.context[rows]
    codes = officer.codes[rows]
    limit = 1.0 if everything else alpha
    parts = []
    for j, s in enumerate(SIGNALS):
        own = np.isfinite(p[:, j]) & (p[:, j] <= limit)
        if own.any():
            sel = rows[own]
            parts.append(pd.DataFrame({
                "row": sel, "code": s.name, "kind": "case", "feature": s.p_feature,
                "value": _column(features, s.value, sel), "baseline": _column(features, s.baseline, sel),
                "p_value": p[own, j],
                "text": s.render(_values(features, sel, s), None if completed is None else completed[own], lang),
            }))  # fmt: skip
        o = officer.observed[np.maximum(codes, 0), j]
        e = officer.expected[np.maximum(codes, 0), j]
        ctx = np.isfinite(context[:, j]) & (context[:, j] <= alpha) & (o > e)
        if ctx.any():
            parts.append(pd.DataFrame({
                "row": rows[ctx], "code": s.name, "kind": "officer", "feature": s.p_feature,
                "value": o[ctx], "baseline": e[ctx], "p_value": context[ctx, j],
                "text": [_OFFICER[lang] + s.entity_sentence(a, b, lang)
                         for a, b in zip(o[ctx], e[ctx], strict=True)],
            }))  # fmt: skip
    p_if = ev.p_if[rows]
    strong = np.isfinite(p_if) & (p_if <= limit)
    if strong.any():
        parts.append(pd.DataFrame({
            "row": rows[strong], "code": ISOLATION.name, "kind": "case", "feature": "isolation_forest",
            "value": np.nan, "baseline": np.nan, "p_value": p_if[strong],
            "text": ISOLATION.render({}, np.empty(int(strong.sum())), lang),
        }))  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=["row", *REASON_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def tidy_case_reasons(records: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Case reason records without repeats.

    A co-occurrence sentence ("9 of this applicant's 10 dossiers went to this
    officer, and returned in 0.2 working days") replaces the single-signal
    sentences it holds; co-occurrences of one case that share their first part
    become one sentence ("..., and returned in 0.2 working days; peers take
    4.1, and closed ahead of 3 earlier dossiers still open"), at the smallest p-value.
    """
    combos = {s.name: s.parts for s in SIGNALS if s.parts}
    case = (records["kind"] == "case").to_numpy()
    combo = case & records["code"].isin(list(combos)).to_numpy()
    if not combo.any():
        return records
    co = records[combo]
    held = pd.DataFrame(
        [(r, part) for r, c in zip(co["row"], co["code"], strict=True) for part in combos[c]],
        columns=["row", "code"],
    ).drop_duplicates()
    marked = records.merge(held.assign(_held=True), on=["row", "code"], how="left")
    keep = ~(marked["_held"].eq(True).to_numpy() & case)
    # co-occurrences sharing their first part: one sentence, the strongest first
    joiner = _JOIN[lang]
    co = co.assign(_first=co["code"].map({c: parts[0] for c, parts in combos.items()}))
    co = co.sort_values("p_value", kind="stable")
    # each (case, first part) group together, strongest first: the lead keeps its sentence,
    # the others add what follows their first part
    group = pd.factorize(pd.MultiIndex.from_arrays([co["row"], co["_first"]]))[0]
    co = co.iloc[np.argsort(group, kind="stable")]
    texts = co["text"].to_numpy(dtype=object)
    lead = np.r_[True, np.diff(np.sort(group, kind="stable")) != 0]
    rest = co["text"].str.split(joiner, n=1).str[1].to_numpy(dtype=object)
    out = records[keep].copy()
    out = out.drop(index=co.index[~lead].intersection(out.index))
    out.loc[co.index[lead], "text"] = _join_runs(lead, np.where(lead, texts, rest), joiner)
    return out


def _join_runs(starts: np.ndarray, texts: np.ndarray, sep: str) -> np.ndarray:
    """Per run of rows (``starts`` marks each run's first row), its texts joined by ``sep``.

    One pass per position within the runs (a handful), none per run.

    >>> _join_runs(np.array([True, False, True]), np.array(["a", "b", "c"], dtype=object), "; ")
    array(['a; b', 'c'], dtype=object)
    """
    run = np.cumsum(starts) - 1
    pos = np.arange(len(texts)) - np.flatnonzero(starts)[run]
    out = texts[starts].copy()
    for k in range(1, int(pos.max(initial=0)) + 1):
        at = pos == k
        out[run[at]] = out[run[at]] + sep + texts[at]
    return out


def case_reasons(ev, rows: np.ndarray, n: int, alpha: float, lang: str = "en") -> np.ndarray:
    """Up to three sentences for each of ``rows`` (its strongest evidence first); "" elsewhere."""
    reasons = np.full(n, "", dtype=object)
    if rows.size == 0:
        return reasons
    records = tidy_case_reasons(case_reason_records(ev, rows, alpha, lang), lang)
    if records.empty:  # no evidence strong enough to put in words
        return reasons
    top = records.sort_values(["row", "p_value"], kind="stable").groupby("row").head(3)
    row = top["row"].to_numpy(dtype=np.int64)
    starts = np.r_[True, row[1:] != row[:-1]]
    reasons[row[starts]] = _join_runs(starts, top["text"].to_numpy(dtype=object), "; ")
    return reasons


def entity_reasons(ent, notable: np.ndarray, lang: str = "en") -> np.ndarray:
    """Up to three sentences for each notable entity: its signals in excess, strongest first.

    A signal counts when its test is at most :data:`ENTITY_REASON_P` and its
    events exceed the expected ones; the reference record (pooled with the
    batch's new cases) is quoted where it says more than the batch alone; the
    digit tests where the amounts do not conform (Nigrini's nonconformity).
    """
    p, obs, exp, hist, digits = ent.p_batch, ent.observed, ent.expected, ent.history, ent.digits
    out = np.full(len(p), "", dtype=object)
    for i in np.flatnonzero(notable):  # loop over notable entities only (hundreds at most)
        items = [
            (p[i, j], s.entity_sentence(obs[i, j], exp[i, j], lang))
            for j, s in enumerate(SIGNALS)
            if p[i, j] <= ENTITY_REASON_P and obs[i, j] > exp[i, j]
        ]
        items += [  # the reference record (pooled with new cases), where it says more
            (
                hist["p"][i, j],
                record_label(int(hist["which"][i]), lang)
                + s.entity_sentence(hist["observed"][i, j], hist["expected"][i, j], lang),
            )
            for j, s in enumerate(SIGNALS)
            if hist["p"][i, j] <= ENTITY_REASON_P
            and hist["p"][i, j] < p[i, j]
            and hist["observed"][i, j] > hist["expected"][i, j]
        ]
        items += _digit_reason(digits, i, lang)
        if not items:  # ranked high on weaker evidence: say the strongest of it, never nothing
            j = int(np.argmin(np.where(obs[i] > exp[i], p[i], np.inf)))
            if obs[i, j] > exp[i, j] and p[i, j] <= WEAK_REASON_P:
                items = [(p[i, j], SIGNALS[j].entity_sentence(obs[i, j], exp[i, j], lang))]
        items.sort(key=lambda t: t[0])
        out[i] = "; ".join(text for _, text in items[:3])
    return out


def _digit_reason(digits: dict, i: int, lang: str) -> list[tuple[float, str]]:
    """The digit test, where the collected amounts do not conform with the case mix."""
    if not (np.isfinite(digits["p_value"][i]) and digits["p_value"][i] <= ENTITY_REASON_P):
        return []
    worst = "first" if digits["first_p"][i] <= digits["last_two_p"][i] else "last_two"
    if digits[f"{worst}_class"][i] != "nonconformity":
        return []
    if lang == "vi":
        which = "chữ số đầu" if worst == "first" else "hai chữ số cuối"
        text = f"{which} của các khoản thu không phù hợp với cơ cấu hồ sơ (MAD {digits[f'{worst}_mad'][i]:.4f})".replace(
            ".", ","
        )
    else:
        which = "first digits" if worst == "first" else "last two digits"
        text = f"{which} of collected amounts do not conform with the case mix (MAD {digits[f'{worst}_mad'][i]:.4f})"
    return [(digits["p_value"][i], text)]
