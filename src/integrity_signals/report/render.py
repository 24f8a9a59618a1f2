"""Render the report: compute what the caller did not pass, then assemble the sections."""

from __future__ import annotations

import numbers
import warnings
from pathlib import Path

import pandas as pd
from sklearn.utils.validation import check_is_fitted

from ..atomic import replacing
from ..exceptions import IntegritySignalsWarning, SchemaError
from ..formatting import format_date, format_number
from ..planning import plan_dossiers, plan_inspections
from ..validation import REJECT_COLUMNS, CaseData, check_cases
from .charts import charts_section
from .dossiers import PER_OFFICER, case_anchors, choose_dossiers, dossiers_section, more_section
from .html import Markup, join, page, paragraph, tag
from .i18n import text_for
from .plan import plan_section
from .sections import coverage_section, entity_section, period_text, summary_section

__all__ = ["render_report", "write_report"]

#: Plan made when none is passed: this many officers (or all, if fewer), 10 % of them at random.
DEFAULT_BUDGET = 10
DEFAULT_RANDOM_SHARE = 0.1
#: Dossiers listed per planned officer.
PLAN_DOSSIERS = 5

_NEEDED = {
    "flags": ("case_id", "risk_score", "rank", "flagged", "reasons", "handler_id", "unit_id"),
    "officers": ("handler_id", "risk_score", "rank", "flagged"),
    "units": ("unit_id", "risk_score", "rank", "flagged"),
    "plan": ("selected_by", "inclusion_probability"),
}
_SECTIONS = ("summary", "coverage", "officers", "units", "plan", "charts", "dossiers")
_SECTION_LABELS = ("summary", "coverage", "ranked_officers", "ranked_units", "plan", "charts",
                   "top_dossiers")  # fmt: skip


def _require(frame, name: str, func: str) -> pd.DataFrame:
    needed = _NEEDED[name]
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"The {name!r} parameter of {func} must be None or a DataFrame. "
            f"Got {type(frame).__name__} instead."
        )
    missing = [c for c in needed if c not in frame.columns]
    if name == "plan" and not any(c in frame.columns for c in ("handler_id", "unit_id")):
        missing.append("handler_id or unit_id")
    if missing:
        raise SchemaError(
            f"The {name!r} parameter of {func} must be a frame with the columns {list(needed)}. "
            f"Got one without {missing} instead. Pass the output of RiskModel or "
            "plan_inspections, or leave it out to have it computed."
        )
    return frame


def _batch(data, func: str) -> CaseData:
    """The cases as a CaseData, so that every model call reuses one batch's evidence."""
    if isinstance(data, CaseData):
        return data
    cases = check_cases(data, context=func)
    return CaseData(cases, pd.DataFrame(columns=REJECT_COLUMNS), len(cases))


def _seed(model) -> int:
    state = getattr(model, "random_state", None)
    return int(state) if isinstance(state, numbers.Integral) else 0


def _explain(model, case_id, batch: CaseData, lang: str):
    try:
        return model.explain(case_id, data=batch, lang=lang)
    except KeyError:  # a case in flags that is not in data
        return None


def _header_meta(batch: CaseData, text, lang) -> str:
    cases = batch.cases
    counts = [
        f"{text['cases']}: {format_number(len(cases), lang)}",
        f"{text['units']}: {format_number(cases['unit_id'].nunique(), lang)}",
        f"{text['officers']}: {format_number(cases['handler_id'].nunique(), lang)}",
    ]
    if batch.n_rejected:
        counts.append(f"{text['rows_quarantined']}: {format_number(batch.n_rejected, lang)}")
    today = format_date(pd.Timestamp.now(), lang)
    parts = [f"{text['generated']}: {today}", f"{text['period']}: {period_text(cases, text, lang)}"]
    return " · ".join([*parts, *counts])


def _footer(model, text, lang) -> str:
    from .. import __version__

    fitted = getattr(model, "fitted_at_", None)
    return text["footer"].format(
        version=__version__,
        fitted=format_date(fitted, lang) if fitted else "–",
        n_reference=format_number(getattr(model, "n_reference_", None), lang),
    )


def render_report(
    model,
    data,
    *,
    flags=None,
    officers=None,
    units=None,
    plan=None,
    lang="en",
    title=None,
    top_cases=50,
) -> str:
    """A self-contained HTML report for inspectors: rankings, reasons, plan, charts, evidence.

    The page has no script and references nothing outside itself: it opens
    offline, prints on A4 (every column on the page, the evidence unfolded,
    each section on a new page, the title and period on every page) and
    reads on a phone (tables become cards, charts scale to the screen). It
    states the rows read, scored and quarantined by reason, the period and the
    signals the data cannot show. Every value from the data (ids, reasons) is
    HTML-escaped.

    Parameters
    ----------
    model : RiskModel
        A fitted model.
    data : CaseData or DataFrame
        The scored batch (a DataFrame must be fully valid).
    flags, officers, units : DataFrame, optional
        ``model.score(data, lang=lang)``, ``model.score_entities(data, "handler_id",
        lang=lang)`` and ``model.score_entities(data, "unit_id", lang=lang)``; computed
        (with their reasons in ``lang``) when not given.
    plan : DataFrame, optional
        An inspection plan from :func:`~integrity_signals.plan_inspections`.
        By default 10 officers (all if fewer), 10 % of them drawn at random
        with the model's ``random_state`` (0 if it has none).
    lang : {"en", "vi"}, default "en"
        Language of the page: labels, numbers (``1.500.000`` and ``3,4`` in
        Vietnamese), dates and evidence strength in words. Reason sentences
        are the model's.
    title : str, optional
        Page title; by default "Risk report..." in ``lang``.
    top_cases : int, default 50
        Riskiest dossiers listed with their evidence: flagged first, at most
        three per officer (the officer's other flagged dossiers are listed after
        them, linked), plus the plan's dossiers to pull.

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> import integrity_signals as isig
    >>> from integrity_signals.report import render_report
    >>> sim = isig.simulate(3_000, random_state=0)
    >>> model = isig.RiskModel(random_state=0).fit(sim.cases, catalog=sim.catalog)
    >>> html = render_report(model, sim.cases, lang="vi", top_cases=5)
    >>> html.startswith("<!DOCTYPE html>"), '<html lang="vi">' in html
    (True, True)
    """
    func = "render_report"
    text = text_for(lang, func)
    if isinstance(top_cases, bool) or not isinstance(top_cases, numbers.Integral) or top_cases < 0:
        raise ValueError(
            f"The 'top_cases' parameter of {func} must be an int >= 0. Got {top_cases!r} instead."
        )
    if title is not None and not isinstance(title, str):
        raise TypeError(
            f"The 'title' parameter of {func} must be None or a str. Got {type(title).__name__} instead."
        )
    check_is_fitted(model, "coverage_")
    batch = _batch(data, func)
    cases = batch.cases
    flags = model.score(batch, lang=lang) if flags is None else _require(flags, "flags", func)
    if officers is None:
        officers = model.score_entities(batch, level="handler_id", lang=lang)
    officers = _require(officers, "officers", func)
    if units is None:
        units = model.score_entities(batch, level="unit_id", lang=lang)
    units = _require(units, "units", func)
    if plan is None:
        with warnings.catch_warnings():
            # the page itself says, in the reader's language, that the default plan's random
            # part is too small to estimate the problem rate and what would fix it
            warnings.filterwarnings("ignore", r"random_share=", IntegritySignalsWarning)
            plan = plan_inspections(
                officers,
                budget=min(DEFAULT_BUDGET, len(officers)),
                random_share=DEFAULT_RANDOM_SHARE,
                random_state=_seed(model),
                flags=flags,
                n_dossiers=PLAN_DOSSIERS,
            )
    plan = _require(plan, "plan", func)
    dossiers = plan_dossiers(plan, flags, n_dossiers=PLAN_DOSSIERS) if len(plan) else None

    pulled = dossiers["case_id"] if dossiers is not None and top_cases else ()
    shown, more = choose_dossiers(flags, int(top_cases), PER_OFFICER, pulled)
    anchors = case_anchors(shown["case_id"])
    evidence = {cid: _explain(model, cid, batch, lang) for cid in shown["case_id"]}

    sections = list(zip(_SECTIONS, _SECTION_LABELS, strict=True))
    if len(more):
        sections.append(("more", "more_dossiers"))
    nav = tag("nav", join(tag("a", text[label], href=f"#{anchor}") for anchor, label in sections))
    body = join(
        [
            nav,
            _mismatch_note(flags, text),
            summary_section(batch, flags, officers, units, model, text, lang),
            coverage_section(model.coverage_, officers, text, lang),
            entity_section(officers, "handler_id", text, lang),
            entity_section(units, "unit_id", text, lang),
            plan_section(plan, dossiers, anchors, text, lang),
            charts_section(flags, officers, model.coverage_, text, lang),
            dossiers_section(shown, more, cases, evidence, anchors, text, lang),
            more_section(more, cases, text, lang),
        ]
    )
    title = title if title is not None else text["title"]
    return page(
        lang=lang,
        title=title,
        meta=_header_meta(batch, text, lang),
        body=Markup(body),
        footer=_footer(model, text, lang),
        running_head=f"{title} · {text['period']}: {period_text(cases, text, lang)}",
        page_label=text["page"],
    )


def _mismatch_note(flags: pd.DataFrame, text) -> Markup:
    """A batch scored despite differing from the model's fit says so at the top."""
    if "model_mismatch" not in flags.columns or not len(flags):
        return Markup("")
    return paragraph(text["mismatch_note"] + str(flags["model_mismatch"].iloc[0]), class_="note")


def write_report(path, model, data, **kwargs) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8), creating missing folders; return the path.

    Takes the same arguments as :func:`render_report`.
    """
    html = render_report(model, data, **kwargs)
    path = Path(path)
    with replacing(path) as tmp:  # never a half-written report under the final name
        tmp.write_text(html, encoding="utf-8")
    return path
