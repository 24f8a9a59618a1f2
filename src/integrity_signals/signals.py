"""The signal registry: every risk signal the engine computes, declared once.

A :class:`Signal` says which feature holds its case p-value (small = unusual
among peers), when a case counts as an *event*, how its officers are tested,
and how it reads to people: its label, the sentence of a case, the sentence
of an officer or unit, in English and Vietnamese. The tail detector, the
entity tests, the officer route, the reasons and the report's labels are all
generated from :data:`SIGNALS`: a new signal is one entry here (and its
features).

Officer tests (``test``):

- ``"shift"``: the officer's events are tested against its *own shifted
  baseline*. An officer who is fast (or slow, or strict) on all its dossiers
  shifts its whole distribution: its moderate cases move as much as its
  extreme ones, and the shift explains its extra events (an honest
  look-alike). A scheme is a *mixture*: a share of ordinary dossiers jumps to
  an extreme while the rest look like peers, so the extreme events exceed what
  the shift of the rest predicts (see :mod:`~integrity_signals.detectors.shift`).
  The baseline comes from the officer's own dossiers on every channel and
  sector, so a scheme run online hides no better than one at the counter.
- ``"rate"``: yes/no facts with no depth (a waived fee, a self-received
  dossier): the count against the case mix's prediction.
- ``"cluster"``: repeated applicant-officer pairs, whose events come in
  clusters of one applicant's dossiers: the variance of the count is the
  clusters' (:mod:`~integrity_signals.detectors.pairs`).

A signal of two features (``parts``) is a co-occurrence: their p-values are
joined by Fisher's method for two independent p-values, and its case sentence
joins the parts' sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .formatting import (
    LANGS,
    format_days,
    format_money,
    format_number,
    format_percent,
    format_value,
)

__all__ = [
    "LANGS",
    "MODERATE",
    "OCCURRENCE_ALPHA",
    "SIGNALS",
    "Signal",
    "signal",
    "signal_coverage",
]

#: Event threshold of occurrence signals: anything beyond the peers' typical case.
OCCURRENCE_ALPHA = 0.25
#: A case of a "shift" signal is *moderate* when its (ungated) p-value is at most this: the
#: half of the peer distribution on the side of the signal, where an officer's habits show.
MODERATE = 0.5


def _n(x, lang: str, digits: int | None = None) -> str:
    """A count or measure the reader's way (:func:`~integrity_signals.formatting.format_value`:
    whole numbers without decimals); ``digits`` fixes the decimals of a fraction."""
    text = format_value(x, lang)
    if digits is None or text == format_number(x, lang):  # whole (or missing): as it is
        return text
    return format_number(x, lang, digits)


#: Amounts, working days and shares the reader's way (:mod:`integrity_signals.formatting`).
_money, _days, _pct = format_money, format_days, format_percent


# ---------------------------------------------------------------- case sentences (one case each)
def _fast(g, when, lang):
    d, peers = g["timing__duration_wd"], g["timing__peer_median_wd"]
    if lang == "vi":
        return f"trả kết quả sau {_days(d, lang)}, hồ sơ cùng loại mất {_n(peers, lang)}"
    return f"returned in {_days(d, lang)}, peers take {_n(peers, lang)}"


def _slow(g, when, lang):
    d, peers, late = g["timing__duration_wd"], g["timing__peer_median_wd"], g["timing__days_late"]
    if np.isfinite(d):
        text = (
            f"xử lý mất {_days(d, lang)}, hồ sơ cùng loại mất {_n(peers, lang)}"
            if lang == "vi"
            else f"took {_days(d, lang)}, peers take {_n(peers, lang)}"
        )
    else:
        age = g["timing__pending_age_wd"]
        text = (
            f"còn tồn đọng sau {_days(age, lang)}, hồ sơ cùng loại mất {_n(peers, lang)}"
            if lang == "vi"
            else f"still open after {_days(age, lang)}, peers take {_n(peers, lang)}"
        )
    if late > 0.05:
        text += (
            f" (trễ hạn {_n(late, lang)} ngày)"
            if lang == "vi"
            else f" ({_n(late, lang)} days late)"
        )
    return text


def _queue_jump(g, when, lang):
    k = g["timing__queue_jump"]
    if lang == "vi":
        return f"hoàn thành trước {_n(k, lang)} hồ sơ nộp sớm hơn vẫn đang chờ"
    return f"closed ahead of {_n(k, lang)} earlier dossier{'' if k == 1 else 's'} still open"


def _supplements(g, when, lang):
    k, peers = g["timing__supplements"], g["timing__supplements_expected"]
    if lang == "vi":
        return f"{_n(k, lang)} lần yêu cầu bổ sung giấy tờ, bình quân hồ sơ cùng loại {_n(peers, lang, 2)}"
    return f"{_n(k, lang)} request{'' if k == 1 else 's'} for more documents, peers average {_n(peers, lang, 2)}"


def _off_time(g, when, lang):
    stamp = ""
    if when is not None and not pd.isna(when):
        when = pd.Timestamp(when)
        stamp = (
            f" lúc {when:%H:%M} ngày {when:%d/%m/%Y}"
            if lang == "vi"
            else f" at {when:%H:%M} on {when:%d/%m/%Y}"
        )
    rest = g["timing__non_workday"] == 1
    if lang == "vi":
        day = "ngày nghỉ" if rest else "ngày làm việc"
        hours = ", ngoài giờ hành chính" if g["timing__off_hours"] == 1 else ""
        return f"hoàn thành{stamp}, {day}{hours}"
    day = "a non-working day" if rest else "a working day"
    hours = ", outside office hours" if g["timing__off_hours"] == 1 else ""
    return f"completed{stamp}, {day}{hours}"


def _excess_fee(g, when, lang):
    charged, ref = g["fees__charged"], g["fees__reference"]
    learned = g["fees__reference_learned"] == 1
    if ref == 0:
        if lang == "vi":
            return f"thu {_money(charged, lang)} đối với thủ tục miễn phí"
        return f"fee of {_money(charged, lang)} charged on a free procedure"
    if lang == "vi":
        kind = "mức thường thu" if learned else "mức niêm yết"
        return f"thu {_money(charged, lang)}, cao hơn {kind} {_money(ref, lang)} là {_money(charged - ref, lang)}"
    kind = "usual" if learned else "posted"
    return f"fee {_money(charged - ref, lang)} above the {kind} {_money(ref, lang)}"


def _waiver(g, when, lang):
    ref, rate = g["fees__reference"], g["fees__waiver_p"]
    if lang == "vi":
        return f"miễn khoản phí {_money(ref, lang)}, hồ sơ cùng loại được miễn {_pct(rate, lang)}"
    return f"fee of {_money(ref, lang)} waived, peers waive {_pct(rate, lang)} of these"


def _repeat_pair(g, when, lang):
    k, n, e = (
        g["handlers__pair_cases"],
        g["handlers__applicant_cases"],
        g["handlers__pair_expected"],
    )
    if lang == "vi":
        return f"{_n(k, lang)} trong {_n(n, lang)} hồ sơ của người nộp này do cùng một cán bộ xử lý (dự kiến {_n(e, lang)})"
    return f"{_n(k, lang)} of this applicant's {_n(n, lang)} dossiers went to this officer ({_n(e, lang)} expected)"


def _self_receipt(g, when, lang):
    rate = g["handlers__receiver_is_handler_p"]
    if lang == "vi":
        return f"cùng một cán bộ vừa tiếp nhận vừa xử lý (tỷ lệ chung: {_pct(rate, lang)})"
    return f"received and processed by the same officer (peers: {_pct(rate, lang)})"


def _due_gap(g, when, lang):
    gap, term = g["timing__due_gap_wd"], g["timing__statutory_wd"]
    longer = gap > 0
    if lang == "vi":
        side = "dài hơn" if longer else "ngắn hơn"
        return f"ngày hẹn trả {side} thời hạn luật định {_days(abs(gap), lang)} (thời hạn {_n(term, lang)})"
    side = "longer" if longer else "shorter"
    return (
        f"promised date {_days(abs(gap), lang)} {side} than the statutory term of {_n(term, lang)}"
    )


def _posted_gap(g, when, lang):
    own, listed = g["fees__posted_own"], g["fees__posted_catalog"]
    if lang == "vi":
        return f"phí ghi trên hồ sơ {_money(own, lang)}, danh mục niêm yết {_money(listed, lang)}"
    return (
        f"posted fee in the case system {_money(own, lang)}, the catalog's {_money(listed, lang)}"
    )


def _isolation(g, when, lang):
    if lang == "vi":
        return "tổ hợp các đặc điểm bất thường (rừng cô lập)"
    return "unusual combination of features (isolation forest)"


@dataclass(frozen=True)
class Signal:
    """One risk signal, declared once (see the module notes).

    Attributes
    ----------
    name, family : str
        Code (``fast``) and family (``timing``, ``fees``, ``handlers``).
    p_features : tuple of str
        The feature(s) holding the case p-value; two for a co-occurrence.
    label, phrase : dict
        Per language: what the signal means (report tables), and the plural
        noun of an entity's count ("dossiers handled much faster than peers").
    test : str
        How officers are tested: ``"shift"``, ``"rate"`` or ``"cluster"``.
    occurrence : bool
        An event whenever the case is beyond the peers' typical case (p <= 1/4,
        for counts and yes/no facts); else when its p <= ``event_alpha``.
    alpha : float or None
        A fixed event threshold instead of the above (completions outside
        office hours: beyond 98 % of working-day completions, so that the last
        office hour, where a habit of finishing late shows first, is the
        moderate band).
    null : str
        How the chance of an event is known: ``"peers"`` (learned from the
        other officers' cases), ``"binomial"`` (exact from the pair test) or
        ``"calibrated"`` (the threshold itself: a joint tail of two p-values).
    gate : str or None
        A yes/no feature that must be 1 for the case to count as an event (a
        fee excess counts when it is a round amount, not copy charges).
    value, baseline : str
        Features shown as the case's value and its peers' baseline.
    units : (str or None, str or None)
        How the value and the baseline are measured, for people: ``"money"``,
        ``"days"``, ``"count"``, ``"share"``, or None (a yes/no mark, said in the
        sentence instead).
    needs : tuple of str
        Features the case sentence reads.
    sentence : callable
        ``sentence(values, completed_at, lang)`` for one case.
    parts : tuple of str
        The two signals of a co-occurrence (empty otherwise).
    """

    name: str
    family: str
    p_features: tuple[str, ...]
    label: dict[str, str]
    phrase: dict[str, str]
    test: str = "shift"
    occurrence: bool = False
    alpha: float | None = None
    null: str = "peers"
    gate: str | None = None
    value: str = ""
    baseline: str = ""
    units: tuple[str | None, str | None] = ("count", "count")
    needs: tuple[str, ...] = ()
    sentence: Callable | None = None
    parts: tuple[str, ...] = field(default=())

    @property
    def p_feature(self) -> str:
        return self.p_features[0]

    @property
    def clustered(self) -> bool:
        """Events come in clusters of one applicant's dossiers (a repeated pair)."""
        return "handlers__pair_p" in self.p_features

    def render(self, values: dict[str, np.ndarray], completed, lang: str = "en") -> list[str]:
        """The case sentence of each of several cases (``values``: feature -> array)."""
        if self.parts:
            first, second = (signal(p) for p in self.parts)
            a, b = first.render(values, completed, lang), second.render(values, completed, lang)
            joiner = ", và " if lang == "vi" else ", and "
            return [f"{x}{joiner}{y}" for x, y in zip(a, b, strict=True)]
        n = len(next(iter(values.values()))) if values else len(completed)
        out = []
        for i in range(n):
            one = {k: v[i] for k, v in values.items()}
            out.append(self.sentence(one, None if completed is None else completed[i], lang))
        return out

    def entity_sentence(self, observed: float, expected: float, lang: str = "en") -> str:
        """``41 dossiers returned much faster than peers against 6 expected``."""
        if lang == "vi":
            return f"{_n(observed, lang)} {self.phrase['vi']}, dự kiến {_n(expected, lang)}"
        return f"{_n(observed, lang)} {self.phrase['en']} against {_n(expected, lang)} expected"

    def features_needed(self) -> tuple[str, ...]:
        if self.parts:
            return tuple(dict.fromkeys(f for p in self.parts for f in signal(p).features_needed()))
        return self.needs


def _L(en: str, vi: str) -> dict[str, str]:
    return {"en": en, "vi": vi}


_DUR = (
    "timing__duration_wd",
    "timing__pending_age_wd",
    "timing__peer_median_wd",
    "timing__days_late",
)
_S = Signal
SIGNALS: tuple[Signal, ...] = (
    _S("fast", "timing", ("timing__fast_p",),
       _L("handled much faster than peers", "Xử lý nhanh bất thường so với hồ sơ cùng loại"),
       _L("dossiers returned much faster than peers", "hồ sơ trả nhanh bất thường so với hồ sơ cùng loại"),
       test="rate", units=("days", "days"), value="timing__duration_wd", baseline="timing__peer_median_wd", needs=_DUR, sentence=_fast),
    _S("slow", "timing", ("timing__slow_p",),
       _L("handled much slower than peers, or still open",
          "Xử lý chậm bất thường hoặc còn tồn đọng"),
       _L("dossiers handled much slower than peers or left open",
          "hồ sơ xử lý chậm bất thường hoặc còn tồn đọng"),
       test="rate", units=("days", "days"), value="timing__duration_wd", baseline="timing__peer_median_wd", needs=_DUR, sentence=_slow),
    _S("queue_jump", "timing", ("timing__queue_jump_p",),
       _L("closed ahead of earlier dossiers", "Hoàn thành trước các hồ sơ nộp sớm hơn (vượt hàng)"),
       _L("dossiers closed ahead of earlier ones", "hồ sơ hoàn thành trước hồ sơ nộp sớm hơn"),
       value="timing__queue_jump", baseline="timing__queue_len",
       needs=("timing__queue_jump", "timing__queue_len"), sentence=_queue_jump),
    _S("supplements", "timing", ("timing__supplements_p",),
       _L("more requests for documents than peers", "Yêu cầu bổ sung giấy tờ nhiều hơn bình thường"),
       _L("dossiers with unusually many requests for documents",
          "hồ sơ bị yêu cầu bổ sung giấy tờ nhiều bất thường"),
       value="timing__supplements", baseline="timing__supplements_expected",
       needs=("timing__supplements", "timing__supplements_expected"), sentence=_supplements),
    _S("supplements_fast", "timing", ("timing__supplements_p", "timing__fast_p"),
       _L("requests for documents, yet handled fast", "Yêu cầu bổ sung giấy tờ nhưng vẫn xử lý nhanh"),
       _L("dossiers with requests for documents yet handled fast",
          "hồ sơ bị yêu cầu bổ sung nhưng vẫn xử lý nhanh"),
       test="rate", parts=("supplements", "fast"),
       units=("count", "count"), value="timing__supplements", baseline="timing__supplements_expected"),
    _S("off_time", "timing", ("timing__off_time_p",),
       _L("completed late in the evening or before opening", "Hoàn thành ngoài giờ hành chính"),
       _L("completions outside office hours", "hồ sơ hoàn thành ngoài giờ hành chính"),
       alpha=0.02, units=(None, None), value="timing__off_time_depth", baseline="timing__off_hours",
       needs=("timing__off_hours", "timing__non_workday"), sentence=_off_time),
    _S("non_workday", "timing", ("timing__non_workday_p",),
       _L("completed on a weekend or holiday", "Hoàn thành vào ngày nghỉ, ngày lễ"),
       _L("completions on weekends or holidays", "hồ sơ hoàn thành vào ngày nghỉ, ngày lễ"),
       test="rate", occurrence=True, units=(None, "share"), value="timing__non_workday", baseline="timing__non_workday_p",
       needs=("timing__off_hours", "timing__non_workday"), sentence=_off_time),
    _S("due_gap", "timing", ("timing__due_gap_p",),
       _L("promised date disagrees with the statutory term",
          "Ngày hẹn trả không khớp thời hạn luật định"),
       _L("dossiers whose promised date disagrees with the statutory term",
          "hồ sơ có ngày hẹn trả không khớp thời hạn luật định"),
       test="rate", units=("days", "days"), value="timing__due_gap_wd", baseline="timing__statutory_wd",
       needs=("timing__due_gap_wd", "timing__statutory_wd"), sentence=_due_gap),
    _S("excess_fee", "fees", ("fees__excess_p",),
       _L("round fee excess above the posted or usual fee",
          "Thu phí cao hơn mức niêm yết hoặc mức thường thu"),
       _L("fees above the posted or usual fee", "khoản thu cao hơn mức niêm yết hoặc mức thường thu"),
       test="rate", occurrence=True, gate="fees__excess_round", units=("money", "money"), value="fees__charged",
       baseline="fees__reference",
       needs=("fees__charged", "fees__reference", "fees__reference_learned"), sentence=_excess_fee),
    _S("waiver", "fees", ("fees__waiver_p",),
       _L("fee waived on a paid procedure", "Miễn phí đối với thủ tục có thu phí"),
       _L("waived fees", "khoản phí được miễn"),
       test="rate", occurrence=True, units=("money", "money"), value="fees__charged", baseline="fees__reference",
       needs=("fees__reference", "fees__waiver_p"), sentence=_waiver),
    _S("waiver_fast", "fees", ("fees__waiver_p", "timing__fast_p"),
       _L("fee waived and handled fast", "Miễn phí và xử lý nhanh"),
       _L("waived fees on fast-handled dossiers", "hồ sơ được miễn phí và xử lý nhanh"),
       test="rate", parts=("waiver", "fast"), units=("money", "money"), value="fees__charged", baseline="fees__reference"),
    _S("posted_gap", "fees", ("fees__posted_gap_p",),
       _L("posted fee in the case system disagrees with the catalog",
          "Phí ghi trên hồ sơ không khớp danh mục niêm yết"),
       _L("dossiers whose posted fee disagrees with the catalog",
          "hồ sơ có phí ghi không khớp danh mục niêm yết"),
       test="rate", units=("money", "money"), value="fees__posted_own", baseline="fees__posted_catalog",
       needs=("fees__posted_own", "fees__posted_catalog"), sentence=_posted_gap),
    _S("repeat_pair", "handlers", ("handlers__pair_p",),
       _L("applicant steered to one officer", "Người nộp tập trung hồ sơ vào một cán bộ"),
       _L("dossiers from applicants concentrated on one officer",
          "hồ sơ của người nộp tập trung vào một cán bộ"),
       test="cluster", occurrence=True, null="binomial",
       value="handlers__pair_cases", baseline="handlers__pair_expected",
       needs=("handlers__pair_cases", "handlers__applicant_cases", "handlers__pair_expected"),
       sentence=_repeat_pair),
    _S("pair_fast", "handlers", ("handlers__pair_p", "timing__fast_p"),
       _L("repeated pair handled fast", "Cặp người nộp – cán bộ lặp lại, xử lý nhanh"),
       _L("fast-handled dossiers from concentrated applicants",
          "hồ sơ xử lý nhanh của người nộp tập trung vào một cán bộ"),
       test="cluster", null="calibrated", parts=("repeat_pair", "fast"),
       value="handlers__pair_cases", baseline="handlers__pair_expected"),
    _S("pair_jump", "handlers", ("handlers__pair_p", "timing__queue_jump_p"),
       _L("repeated pair jumping the queue", "Cặp người nộp – cán bộ lặp lại, vượt hàng"),
       _L("queue-jumping dossiers from concentrated applicants",
          "hồ sơ vượt hàng của người nộp tập trung vào một cán bộ"),
       test="cluster", null="calibrated", parts=("repeat_pair", "queue_jump"),
       value="handlers__pair_cases", baseline="handlers__pair_expected"),
    _S("pair_waiver", "handlers", ("handlers__pair_p", "fees__waiver_p"),
       _L("repeated pair with waived fees", "Cặp người nộp – cán bộ lặp lại, được miễn phí"),
       _L("waived fees for applicants concentrated on one officer",
          "khoản phí được miễn cho người nộp tập trung vào một cán bộ"),
       test="cluster", parts=("repeat_pair", "waiver"),
       value="handlers__pair_cases", baseline="handlers__pair_expected"),
    _S("self_receipt", "handlers", ("handlers__receiver_is_handler_p",),
       _L("received and processed by one officer", "Một cán bộ vừa tiếp nhận vừa xử lý"),
       _L("dossiers received and processed by the same officer",
          "hồ sơ do cùng một cán bộ tiếp nhận và xử lý"),
       test="rate", occurrence=True,
       units=(None, "share"), value="handlers__receiver_is_handler", baseline="handlers__receiver_is_handler_p",
       needs=("handlers__receiver_is_handler_p",), sentence=_self_receipt),
)  # fmt: skip

#: The isolation forest, for reason records and labels (not a signal with events).
ISOLATION = _S(
    "isolation", "case", (), _L("unusual combination of features (isolation forest)",
                                "Tổ hợp đặc điểm bất thường (rừng cô lập)"),
    _L("", ""), test="none", units=(None, None), sentence=_isolation,
)  # fmt: skip

_BY_NAME = {s.name: s for s in (*SIGNALS, ISOLATION)}


def signal(name: str) -> Signal:
    """The registered signal called ``name``."""
    return _BY_NAME[name]


def signal_coverage(features: dict) -> dict:
    """The features' coverage (``{feature: "ok" or why not}``) with each signal's added as
    ``signal:<name>``: the first of its p-value features that is not "ok", else "ok"."""
    cov = dict(features)
    return cov | {
        f"signal:{s.name}": next(
            (cov.get(f) for f in s.p_features if cov.get(f, "ok") != "ok"), "ok"
        )
        for s in SIGNALS
    }
