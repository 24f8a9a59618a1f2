"""The distributions section: risk scores, family scores and officers' per-signal ratios."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..detectors import SIGNALS
from ..formatting import format_number
from ..vocabulary import family_label, signal_label
from .html import Markup, join, paragraph, section, tag
from .svg import PALETTE, Series, bin_counts, histogram, nice_ticks

__all__ = ["charts_section"]

_FAMILIES = ("timing", "fees", "handlers")
_RATIO_LIMIT = 3  # log2: ratios from 1/8 to 8
_RATIO_TICKS = [(-3, "1/8"), (-2, "1/4"), (-1, "1/2"), (0, "1"), (1, "2"), (2, "4"), (3, "8")]


def _figure(chart: Markup, caption: str, signal: str | None = None) -> Markup:
    return tag("figure", Markup(tag("figcaption", caption) + chart), data_signal=signal)


def _score_axis(scores: np.ndarray, threshold: float | None, lang, bins: int = 30):
    """Bin edges from 0 to a cap and the x ticks; scores above the cap fall in the last bin.

    Risk scores have a long tail (a scheme can score 200 when the flag
    threshold is 4), so the axis stops at a round value above three times the
    threshold and 1.5 times the 95th percentile; the last tick then reads "≥ cap".
    """
    finite = scores[np.isfinite(scores)]
    high = float(finite.max()) if finite.size else 1.0
    reach = max(float(np.quantile(finite, 0.95)) * 1.5 if finite.size else 1.0, 2.0)
    if threshold is not None:
        reach = max(reach, 3.0 * threshold)
    limit = max(min(high, reach), 1.0)
    ticks = nice_ticks(0.0, limit)
    if ticks[-1] < limit:
        ticks.append(ticks[-1] + (ticks[1] - ticks[0] if len(ticks) > 1 else limit))
    cap = ticks[-1]
    labels = [(t, format_number(t, lang, 0 if float(t).is_integer() else 1)) for t in ticks]
    if high > cap:
        labels[-1] = (cap, "≥" + labels[-1][1])
    return np.linspace(0.0, cap, bins + 1), labels


def _score_chart(frame: pd.DataFrame, column: str, caption: str, text, lang) -> Markup:
    """Histogram of a score, flagged rows stacked in red, with the flag threshold.

    The threshold is marked only where the flags are exactly the scores above
    it: a case can rank high on its officer's evidence and stay unflagged.
    """
    scores = frame[column].to_numpy(dtype=float)
    flagged = frame["flagged"].to_numpy(dtype=bool)
    threshold = None
    if column == "risk_score" and flagged.any():
        lowest = float(scores[flagged].min())
        if not (~flagged & (scores >= lowest)).any():
            threshold = lowest
    edges, ticks = _score_axis(scores, threshold, lang)
    chart = histogram(
        edges,
        _series(scores, flagged, edges, text),
        title=caption,
        x_label=text["risk_score"] if column == "risk_score" else text["score"],
        x_ticks=ticks,
        marker=None if threshold is None else (threshold, text["threshold"]),
        **_counts(text, lang),
    )
    return _figure(chart, caption)


def _series(values: np.ndarray, flagged: np.ndarray, edges, text) -> list[Series]:
    return [
        Series(text["not_flagged"], bin_counts(values[~flagged], edges), PALETTE[0]),
        Series(text["flagged_series"], bin_counts(values[flagged], edges), PALETTE[1]),
    ]


def _counts(text, lang) -> dict:
    return {
        "y_label": text["count"],
        "y_label_log": text["count_log"],
        "count_format": lambda v: format_number(v, lang),
    }


def _ratio_chart(officers: pd.DataFrame, name: str, text, lang) -> Markup | None:
    """Officers by log2 of observed / expected events of one signal; None when nothing to show.

    The panel holds the officers with at least one expected event, where the
    ratio means something, and every flagged officer with more events than
    expected however few are expected (276 excess fees against 0.16 expected
    is the strongest evidence of all, not noise).
    """
    obs_col, exp_col = f"obs_{name}", f"exp_{name}"
    if obs_col not in officers or exp_col not in officers:
        return None
    obs = officers[obs_col].to_numpy(dtype=float)
    exp = officers[exp_col].to_numpy(dtype=float)
    flagged = officers["flagged"].to_numpy(dtype=bool)
    keep = np.isfinite(obs) & np.isfinite(exp) & ((exp >= 1.0) | (flagged & (obs > exp)))
    if not keep.any():
        return None
    ratio = np.log2((obs[keep] + 0.5) / (exp[keep] + 0.5))
    flagged = flagged[keep]
    edges = np.linspace(-_RATIO_LIMIT, _RATIO_LIMIT, 25)
    label = signal_label(name, lang)
    chart = histogram(
        edges,
        _series(ratio, flagged, edges, text),
        title=label,
        x_label=text["ratio_axis"],
        x_ticks=_RATIO_TICKS,
        marker=(0.0, ""),
        legend=False,
        width=340,
        height=190,
        **_counts(text, lang),
    )
    return _figure(chart, label, name)


def charts_section(
    flags: pd.DataFrame, officers: pd.DataFrame, coverage: dict, text, lang
) -> Markup:
    """Every chart, with their notes."""
    overview = [
        _score_chart(flags, "risk_score", text["chart_case_risk"], text, lang),
        _score_chart(officers, "risk_score", text["chart_officer_risk"], text, lang),
    ]
    families = [
        _score_chart(
            flags,
            f"{family}_score",
            text["chart_family"].format(family=family_label(family, lang)),
            text,
            lang,
        )
        for family in _FAMILIES
        if f"{family}_score" in flags
    ]
    usable = [s.name for s in SIGNALS if coverage.get(f"signal:{s.name}", "ok") == "ok"]
    ratios = [c for c in (_ratio_chart(officers, name, text, lang) for name in usable) if c]
    return section(
        "charts",
        text["charts"],
        tag("div", join(overview + families), class_="charts"),
        tag("h3", text["chart_signals"]),
        paragraph(text["chart_signals_note"], class_="note"),
        tag("div", join(ratios), class_="charts"),
    )
