"""Timing features: working-day durations against statutory terms and peers, queue jumps,
supplement requests, completions outside working time.

Peer group: procedure x unit, shrunk towards the procedure with credibility
weight ``n / (n + shrinkage)`` (``n`` = reference cases of the pair), both
without the case's own officer: an officer is compared with the others, never
with itself (:class:`~integrity_signals.features.peers.PeerTails`). Tail
probabilities are mid-p empirical ranks against the fitted reference; small
means unusual. How far outside working time a completion lies is measured among the
unit's other officers' completions. Queue jumps are relational within the batch being
transformed: the queue is the batch's own dossiers of the same procedure and
unit. Descriptive baselines (the peers' median duration and mean requests)
count every officer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..calendar import _minutes
from ..resolution import real_times
from .base import CaseContext, CaseTransformer, Codebook, FeatureSpec
from .peers import (
    GroupedReference,
    KeyTable,
    PeerTails,
    UnitTails,
    credibility,
    search,
    shrunk_rate,
    unique_sorted,
)
from .peers import at as _at

__all__ = ["TimingFeatures"]

_S = FeatureSpec
_NS_PER_DAY = 86_400 * 10**9
_SHIFT = np.int64(1) << 34  # composite (group, seconds) keys
#: Minutes before closing from which a working-day completion counts as late (its depth > 0).
LAST_HOUR = 60


class _PeerCodes:
    """Fitted codebooks of procedures, units and officers."""

    def __init__(self, ctx: CaseContext):
        self.procedures = Codebook(ctx.cases["procedure_id"])
        self.units = Codebook(ctx.cases["unit_id"])
        self.officers = Codebook(ctx.cases["handler_id"])

    def codes(self, ctx: CaseContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(procedure, unit, officer) codes; -1 where unseen in fit."""
        return tuple(
            book.codes(*ctx.factorized(col))
            for book, col in (
                (self.procedures, "procedure_id"),
                (self.units, "unit_id"),
                (self.officers, "handler_id"),
            )
        )


def _shrunk_medians(codes: np.ndarray, values: np.ndarray, n: int, k: float) -> np.ndarray:
    """Per code: the median of its finite values, shrunk towards 0 by ``n / (n + k)``."""
    ok = (codes >= 0) & np.isfinite(values)
    med = pd.Series(values[ok]).groupby(codes[ok]).median()
    count = np.bincount(codes[ok], minlength=n)
    out = np.zeros(n)
    out[med.index.to_numpy()] = med.to_numpy()
    return out * count / (count + k) if k > 0 else out


def _batch_groups(ctx: CaseContext) -> np.ndarray:
    """Dense codes of the batch's own procedure x unit groups (for relational queue features)."""
    p, _ = ctx.factorized("procedure_id")
    u, units = ctx.factorized("unit_id")
    return pd.factorize(p * max(len(units), 1) + u)[0]


def _count_less(keys: np.ndarray) -> np.ndarray:
    """For each element, how many elements are strictly smaller (one sort, no search)."""
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    first = np.concatenate([[True], ranked[1:] != ranked[:-1]])
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = np.maximum.accumulate(np.where(first, np.arange(len(keys)), 0))
    return out


class TimingFeatures(CaseTransformer):
    """Processing-time deviations in working days, against statutory terms and peers.

    Parameters
    ----------
    calendar : WorkCalendar, optional
        Working days (default: Vietnam).
    catalog : DataFrame or CatalogData, optional
        Statutory days per procedure, used where ``due_at`` is missing.
    shrinkage : float, default 20
        Credibility constant: a procedure x unit group with ``n`` reference
        cases gets weight ``n / (n + shrinkage)`` against the procedure-wide baseline.
    office_hours : (str, str), default ("07:00", "17:30")
        Completions outside these hours (or on non-working days) are off-hours.
    as_of : datetime-like, optional
        Extract date for the age of pending cases (default: latest timestamp in the batch).

    Examples
    --------
    >>> import integrity_signals as isig
    >>> sim = isig.simulate(n_cases=3_000, random_state=0)  # doctest: +SKIP
    >>> TimingFeatures().fit_transform(sim.cases).filter(like="fast_p").head()  # doctest: +SKIP
    """

    family = "timing"
    specs = (
        _S("duration_wd", ("submitted_at", "completed_at"), "pending", "working days to completion"),
        _S("pending", ("completed_at",), None, "1 when the case has no completion date"),
        _S("pending_age_wd", ("submitted_at",), None, "working days open at the extract date (pending)"),
        _S("allowed_wd", ("submitted_at", "due_at", "catalog"), "allowed_na", "working days allowed"),
        _S("allowed_na", ("due_at", "catalog"), None, "1 when neither due_at nor a statutory term exists"),
        _S("ratio_to_allowed", ("submitted_at", "completed_at", "due_at", "catalog"), "pending|allowed_na",
           "duration / allowed working days (completed cases)"),
        _S("days_late", ("submitted_at", "completed_at", "due_at", "catalog"), "allowed_na",
           "working days past the deadline (pending cases: so far)"),
        _S("peer_median_wd", ("procedure_id", "unit_id", "completed_at"), "peer_na",
           "median working days of the peer group (shrunk)"),
        _S("peer_z", ("procedure_id", "unit_id", "submitted_at", "completed_at"), "pending|peer_na",
           "robust z of log(1 + duration) in the peer group; < 0 fast, > 0 slow"),
        _S("peer_na", ("procedure_id", "handler_id"), None,
           "1 when no other officer handled the procedure in the reference"),
        _S("fast_p", ("procedure_id", "unit_id", "submitted_at", "completed_at"), "pending|peer_na",
           "share of peers at least as fast (mid-p, shrunk)"),
        _S("slow_p", ("procedure_id", "unit_id", "submitted_at", "completed_at"), "peer_na",
           "share of peers at least as slow; pending cases by their age"),
        _S("queue_len", ("procedure_id", "unit_id", "submitted_at", "completed_at"), None,
           "dossiers of the same procedure and unit open when this one was received (batch)"),
        _S("queue_jump", ("procedure_id", "unit_id", "submitted_at", "completed_at"), "pending",
           "earlier-received minus earlier-completed dossiers of the group (batch)"),
        _S("queue_jump_share", ("procedure_id", "unit_id", "submitted_at", "completed_at"), "pending",
           "queue_jump / (queue_len + 1)"),
        _S("queue_jump_p", ("procedure_id", "unit_id", "submitted_at", "completed_at"), "pending",
           "share of the procedure's reference cases jumping at least as far"),
        _S("supplements", ("supplement_requests",), "supplements_na", "requests for more documents"),
        _S("supplements_na", ("supplement_requests",), None, "1 when the count is not recorded"),
        _S("supplements_expected", ("procedure_id", "unit_id", "supplement_requests"),
           "supplements_na", "peer mean requests (shrunk)"),
        _S("supplements_p", ("procedure_id", "unit_id", "supplement_requests"), "supplements_na",
           "share of peers with at least as many requests (mid-p, shrunk)"),
        _S("off_hours", ("completed_at",), "pending|time_unknown", "completed outside office hours"),
        _S("non_workday", ("completed_at",), "pending", "completed on a weekend or holiday"),
        _S("time_unknown", ("completed_at",), None, "1 when the completion has no time of day"),
        _S("off_time_depth", ("completed_at",), "pending|time_unknown|non_workday",
           "hours before opening, or into the last office hour and after it (working days)"),
        _S("off_time_p", ("completed_at",), "pending|time_unknown|non_workday",
           "share of the reference's working-day completions at least as late"),
        _S("non_workday_p", ("completed_at",), "pending",
           "the reference's share of completions on non-working days if this is one, else 1"),
        _S("statutory_wd", ("procedure_id", "catalog"), "due_gap_na", "the catalog's statutory term"),
        _S("due_gap_wd", ("submitted_at", "due_at", "catalog"), "due_gap_na",
           "working days from the statutory deadline to the promised date (> 0: promised later)"),
        _S("due_gap_na", ("due_at", "catalog"), None,
           "1 when the promised date or the statutory term is missing"),
        _S("due_gap_p", ("procedure_id", "unit_id", "submitted_at", "due_at", "catalog"), "due_gap_na",
           "share of peers whose promised date disagrees at least as much with the term (mid-p)"),
    )  # fmt: skip

    #: Features that compare two sources of one fact: not applicable unless both are there.
    _both = {"statutory_wd": ("catalog",), "due_gap_wd": ("due_at", "catalog"),
             "due_gap_na": (), "due_gap_p": ("due_at", "catalog")}  # fmt: skip

    def __init__(
        self,
        *,
        calendar=None,
        catalog=None,
        shrinkage: float = 20.0,
        office_hours: tuple[str, str] = ("07:00", "17:30"),
        as_of=None,
    ):
        self.calendar = calendar
        self.catalog = catalog
        self.shrinkage = shrinkage
        self.office_hours = office_hours
        self.as_of = as_of

    def _check_params(self):
        super()._check_params()
        if not isinstance(self.shrinkage, int | float) or self.shrinkage < 0:
            raise ValueError(
                "The 'shrinkage' parameter of TimingFeatures must be a number >= 0. "
                f"Got {self.shrinkage!r} instead."
            )
        if not (isinstance(self.office_hours, tuple | list) and len(self.office_hours) == 2):
            raise ValueError(
                "The 'office_hours' parameter of TimingFeatures must be a pair of 'HH:MM' "
                f"times. Got {self.office_hours!r} instead."
            )
        for t, name in zip(self.office_hours, ("open", "close"), strict=True):
            _minutes(t, name)

    def _context(self, X, as_of=None):
        return super()._context(X, self.as_of if as_of is None else as_of)

    # ------------------------------------------------------------------ derived columns
    def _basic(self, ctx: CaseContext) -> dict:
        return ctx.memo("timing.basic", lambda: self._compute_basic(ctx))

    def _compute_basic(self, ctx: CaseContext) -> dict:
        cal = ctx.calendar
        sub, comp = ctx.clock("submitted_at"), ctx.clock("completed_at")
        pending = np.isnan(comp)
        duration = np.where(pending, np.nan, np.maximum(comp - sub, 0.0))
        as_of = cal.working_clock(np.array([ctx.as_of]))[0]
        age = np.where(pending, np.maximum(as_of - sub, 0.0), np.nan)
        # a stamp without a real time of day among stamps with times was made some time that
        # day: the fast test reads the longest duration it allows, the slow test the shortest
        upper, lower, age_lower = duration, duration, age
        unsure_sub, unsure_comp = (
            self._unsure(ctx, "submitted_at"),
            self._unsure(ctx, "completed_at"),
        )
        if unsure_sub.any() or unsure_comp.any():
            (sub_lo, sub_hi), (comp_lo, comp_hi) = (
                (np.where(unsure, start, clock), np.where(unsure, end, clock))
                for unsure, (start, end), clock in (
                    (unsure_sub, self._day_bounds(ctx, "submitted_at"), sub),
                    (unsure_comp, self._day_bounds(ctx, "completed_at"), comp),
                )
            )  # fmt: skip
            upper = np.where(pending, np.nan, np.maximum(comp_hi - sub_lo, 0.0))
            lower = np.where(pending, np.nan, np.maximum(comp_lo - sub_hi, 0.0))
            age_lower = np.where(pending, np.maximum(as_of - sub_hi, 0.0), np.nan)
        due = ctx.times("due_at")
        statutory = ctx.catalog_values("statutory_days")
        derived = cal.add_working_days(ctx.times("submitted_at"), statutory)
        due = np.where(np.isnat(due), derived, due)
        date_only = (due.view(np.int64) % _NS_PER_DAY) == 0
        due_end = np.where(date_only & ~np.isnat(due), due + np.timedelta64(1, "D"), due)
        allowed = np.maximum(cal.working_clock(due_end) - sub, 0.0)
        elapsed = np.where(pending, age, duration)
        gap = self._due_gap(ctx, statutory)
        return {
            "statutory": statutory,
            "due_gap": gap,
            "pending": pending,
            "duration": duration,
            "duration_upper": upper,
            "duration_lower": lower,
            "age_lower": age_lower,
            "unsure": unsure_sub | unsure_comp,
            "age": age,
            "allowed": allowed,
            "late": np.maximum(elapsed - allowed, 0.0),
            "ratio": duration / np.maximum(allowed, 0.5),
        }

    def _real_times(
        self, ctx: CaseContext, column: str = "completed_at", constant: bool = False
    ) -> np.ndarray:
        """Per case: whether its ``column`` stamp has a real time of day (not at midnight, nor
        from an officer or unit whose stamps are date only, or unless ``constant`` at one
        constant time; see :mod:`~integrity_signals.resolution`)."""
        return ctx.memo(
            ("timing.real_times", column, constant),
            lambda: real_times(ctx.cases, column, constant=constant),
        )

    def _unsure(self, ctx: CaseContext, column: str) -> np.ndarray:
        """Date-only stamps where others (the batch's or the reference's) have a time of day:
        their time within the day is unknown, not midnight."""
        real = self._real_times(ctx, column, constant=True)
        timed = real.any() or column in getattr(self, "reference_times_", ())
        return ~np.isnat(ctx.times(column)) & ~real & timed

    @staticmethod
    def _day_bounds(ctx: CaseContext, column: str) -> tuple[np.ndarray, np.ndarray]:
        """The working clock at the start and at the end of each stamp's day."""
        day = ctx.times(column).astype("datetime64[D]")
        return tuple(
            ctx.calendar.working_clock((day + np.timedelta64(k, "D")).astype("datetime64[ns]"))
            for k in (0, 1)
        )

    @staticmethod
    def _due_gap(ctx: CaseContext, statutory: np.ndarray) -> np.ndarray:
        """Working days from the statutory deadline to the promised date (NaN without both)."""
        cal = ctx.calendar
        promised = ctx.times("due_at").astype("datetime64[D]")
        by_law = cal.add_working_days(ctx.times("submitted_at"), statutory).astype("datetime64[D]")
        gap = np.round(cal.working_clock(promised) - cal.working_clock(by_law))
        return np.where(np.isnat(promised) | np.isnat(by_law), np.nan, gap)

    def _coverage(self, ctx: CaseContext) -> dict[str, str]:
        report = super()._coverage(ctx)
        have = {"catalog": ctx.catalog is not None, "due_at": ctx.has("due_at")}
        for name, needs in self._both.items():
            absent = [c for c in needs if not have[c]]
            if absent:
                report[f"timing__{name}"] = "not applicable: no " + ", ".join(absent)
        return report

    def _queue(self, ctx: CaseContext, pending: np.ndarray) -> dict:
        return ctx.memo("timing.queue", lambda: self._compute_queue(ctx, pending))

    def _compute_queue(self, ctx: CaseContext, pending: np.ndarray) -> dict:
        g = _batch_groups(ctx)
        start = np.concatenate([[0], np.cumsum(np.bincount(g))])[g]
        s = g * _SHIFT + ctx.times("submitted_at").view(np.int64) // 10**9
        done = ctx.times("completed_at").view(np.int64) // 10**9
        # a completion at an unknown time of its day is ordered after that day's timed ones
        done = np.where(self._unsure(ctx, "completed_at"), (done // 86_400 + 1) * 86_400 - 1, done)
        c = g * _SHIFT + np.where(pending, _SHIFT - 1, done)
        earlier_received = _count_less(s) - start
        earlier_completed = _count_less(c) - start
        closed_by_receipt = search(np.sort(c), s, side="right") - start
        queue_len = np.maximum(earlier_received - closed_by_receipt, 0).astype(np.float64)
        jump = np.maximum(earlier_received - earlier_completed, 0).astype(np.float64)
        jump = np.where(pending, np.nan, jump)
        return {"queue_len": queue_len, "jump": jump, "share": jump / (queue_len + 1.0)}

    def _off_time(self, ctx: CaseContext, pending: np.ndarray) -> dict:
        key = ("timing.off_time", tuple(self.office_hours))
        return ctx.memo(key, lambda: self._compute_off_time(ctx, pending))

    def _compute_off_time(self, ctx: CaseContext, pending: np.ndarray) -> dict:
        comp = ctx.times("completed_at")
        tod = (comp.view(np.int64) % _NS_PER_DAY) // (60 * 10**9)  # minutes after midnight
        unknown = ~pending & ~self._real_times(ctx)  # midnight, date-only or constant stamps
        open_, close = (
            _minutes(t, n) for t, n in zip(self.office_hours, ("open", "close"), strict=True)
        )
        off_hours = np.where(
            pending | unknown, np.nan, ((tod < open_) | (tod > close)).astype(float)
        )
        non_work = ~ctx.calendar.is_workday(comp)
        # how late on a working day: hours before opening, or after the start of the last office
        # hour (a habit of finishing late shows there first); non-working days are their own signal
        outside = np.maximum(open_ - tod, 0) + np.maximum(tod - (close - LAST_HOUR), 0)
        depth = np.where(non_work | unknown, np.nan, outside / 60.0)
        return {
            "unknown": unknown,
            "off_hours": off_hours,
            "non_work": np.where(pending, np.nan, non_work.astype(float)),
            "depth": np.where(pending, np.nan, depth),
        }

    # ------------------------------------------------------------------ fit / transform
    def _fit(self, ctx: CaseContext):
        k = float(self.shrinkage)
        self.peers_ = _PeerCodes(ctx)
        p, u, o = self.peers_.codes(ctx)
        n_p, n_u = len(self.peers_.procedures), len(self.peers_.units)
        self.reference_times_ = tuple(  # date columns whose stamps have real times somewhere
            c for c in ("submitted_at", "completed_at") if self._real_times(ctx, c, True).any()
        )
        basic = self._basic(ctx)
        # durations whose time of day is unknown among timed ones stay out of the peers' reference
        # and of the officers' habits (midnight would make them look fast)
        y = np.log1p(np.where(basic["unsure"], np.nan, basic["duration"]))
        # durations: each case's rank among the other officers' durations of the procedure, on the
        # probit scale, less its officer's habit on that procedure (the officer's median there,
        # shrunk towards its median over all procedures, itself shrunk towards 0): a fast
        # officer's fast dossiers are ordinary for it, a share of dossiers returned at once is not
        self.duration_p_ = GroupedReference(p, y, n_p)
        self.duration_ = PeerTails(p, o, y, extrapolate=True)
        z = ndtri(self.duration_.tails(p, o, y)[0])
        self.habit_ = _shrunk_medians(o, z, len(self.peers_.officers), k)
        po = np.where((p >= 0) & (o >= 0), (p << 21) + o, -1)
        distinct = unique_sorted(po[po >= 0])
        self.habit_pairs_ = KeyTable(distinct, np.arange(len(distinct)))
        at_pair = self.habit_pairs_.position(po)
        own = _shrunk_medians(at_pair, z - _at(self.habit_, o), len(distinct), k)
        self.habit_pairs_ = KeyTable(distinct, own)
        self.jump_ = PeerTails(p, o, self._queue(ctx, basic["pending"])["share"], leave_out=False)
        x = ctx.numbers("supplement_requests")
        self.supplements_ = PeerTails(p, o, x, leave_out=False)
        self.due_gap_ = UnitTails(p, u, np.abs(basic["due_gap"]), k)
        # completions outside working time: against all completions
        off = self._off_time(ctx, basic["pending"])
        self.off_time_ = PeerTails(np.zeros(ctx.n, np.int64), o, off["depth"], leave_out=False)
        self.non_workday_rate_ = float(np.nanmean(off["non_work"])) if ctx.n else 0.0
        # descriptive baselines, every officer counted: the procedure x unit's median duration
        # and mean requests, shrunk towards the procedure's
        pu = np.where((p >= 0) & (u >= 0), p * n_u + u, -1)
        distinct = unique_sorted(pu[pu >= 0])
        self.pairs_ = KeyTable(distinct, np.arange(len(distinct)))
        pu = self.pairs_.position(pu)
        n_pu = len(self.pairs_)
        self.duration_pu_ = GroupedReference(pu, y, n_pu)
        known = np.isfinite(x) & (p >= 0)
        mean_p = np.bincount(p[known], x[known], n_p) / np.maximum(
            np.bincount(p[known], minlength=n_p), 1
        )
        in_pu = known & (pu >= 0)
        pu_procedure = (self.pairs_.keys.to_numpy() // max(n_u, 1)).astype(np.int64)
        self.supplements_mean_p_ = mean_p
        self.supplements_mean_pu_ = shrunk_rate(
            np.bincount(pu[in_pu], x[in_pu], n_pu), np.bincount(pu[in_pu], minlength=n_pu),
            mean_p[pu_procedure], k,
        )  # fmt: skip

    def _pu(self, p: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Fitted procedure x unit codes (-1 = unseen)."""
        n_u = len(self.peers_.units)
        return np.where((p >= 0) & (u >= 0), self.pairs_.position(p * n_u + u), -1)

    def _transform(self, ctx: CaseContext) -> dict:
        p, u, o = self.peers_.codes(ctx)
        pu = self._pu(p, u)
        basic = self._basic(ctx)
        pending = basic["pending"]
        y = np.log1p(basic["duration"])
        po = np.where((p >= 0) & (o >= 0), (p << 21) + o, -1)
        habit = np.nan_to_num(_at(self.habit_, o)) + np.nan_to_num(self.habit_pairs_.get(po))
        low, high, others = self.duration_.tails(p, o, y)
        _, high_age, others_age = self.duration_.tails(p, o, np.log1p(basic["age"]))
        if basic["unsure"].any():  # the least fast, and the least slow, each could have been
            low = self.duration_.tails(p, o, np.log1p(basic["duration_upper"]))[0]
            high = self.duration_.tails(p, o, np.log1p(basic["duration_lower"]))[1]
            high_age = self.duration_.tails(p, o, np.log1p(basic["age_lower"]))[1]
        # the habit (< 0: fast) moves the officer's own centre, and it only explains events
        # away: a fast officer's fast dossiers are ordinary for it, but its dossiers of the
        # peers' usual speed are no slow events (nor a slow officer's usual ones fast events)
        fast = ndtr(ndtri(low) - np.minimum(habit, 0.0))
        slow = ndtr(ndtri(np.where(pending, high_age, high)) + np.maximum(habit, 0.0))
        center, scale = self._center_scale(p, pu)
        # no other officer's duration of the procedure: nobody to compare with
        peer_na = (p < 0) | (np.where(pending, others_age, others) == 0)
        queue = self._queue(ctx, pending)
        _, jump_p, _ = self.jump_.tails(p, o, queue["share"])
        x = ctx.numbers("supplement_requests")
        _, sup_p, _ = self.supplements_.tails(p, o, x)
        expected = np.where(
            pu >= 0, _at(self.supplements_mean_pu_, pu), _at(self.supplements_mean_p_, p)
        )
        off = self._off_time(ctx, pending)
        _, off_p, _ = self.off_time_.tails(np.zeros(ctx.n, np.int64), o, off["depth"])
        missing_x = np.isnan(x)
        gap = basic["due_gap"]
        _, gap_p, _ = self.due_gap_.tails(p, u, np.abs(gap))
        gap_na = np.isnan(gap)
        return {
            "duration_wd": basic["duration"],
            "pending": pending,
            "pending_age_wd": basic["age"],
            "allowed_wd": basic["allowed"],
            "allowed_na": np.isnan(basic["allowed"]),
            "ratio_to_allowed": basic["ratio"],
            "days_late": basic["late"],
            "peer_median_wd": np.where(peer_na, np.nan, np.expm1(center)),
            "peer_z": np.where(peer_na, np.nan, (y - center) / scale),
            "peer_na": peer_na,
            "fast_p": np.where(peer_na, np.nan, fast),
            "slow_p": np.where(peer_na, np.nan, slow),
            "queue_len": queue["queue_len"],
            "queue_jump": queue["jump"],
            "queue_jump_share": queue["share"],
            "queue_jump_p": jump_p,
            "supplements": x,
            "supplements_na": missing_x,
            "supplements_expected": np.where(missing_x, np.nan, expected),
            "supplements_p": np.where(missing_x, np.nan, sup_p),
            "off_hours": off["off_hours"],
            "non_workday": off["non_work"],
            "time_unknown": off["unknown"],
            "off_time_depth": off["depth"],
            "off_time_p": off_p,
            "non_workday_p": np.where(
                np.isnan(off["non_work"]),
                np.nan,
                np.where(off["non_work"] == 1, self.non_workday_rate_, 1.0),
            ),  # fmt: skip
            "statutory_wd": basic["statutory"],
            "due_gap_wd": gap,
            "due_gap_na": gap_na,
            "due_gap_p": np.where(gap_na, np.nan, np.where(np.isnan(gap_p), 0.5, gap_p)),
        }

    def _center_scale(self, p, pu):
        """Shrunk median and IQR-based scale of log(1 + duration) per case (all officers)."""
        ref_p, ref_pu = self.duration_p_, self.duration_pu_
        med_p, med_pu = ref_p.quantile(0.5), ref_pu.quantile(0.5)
        iqr_p = ref_p.quantile(0.75) - ref_p.quantile(0.25)
        iqr_pu = ref_pu.quantile(0.75) - ref_pu.quantile(0.25)
        mp, mpu, ip, ipu = _at(med_p, p), _at(med_pu, pu), _at(iqr_p, p), _at(iqr_pu, pu)
        w = credibility(np.where(pu >= 0, ref_pu.counts[np.maximum(pu, 0)], 0), self.shrinkage)
        center = np.where(np.isnan(mpu), mp, w * mpu + (1 - w) * mp)
        iqr = np.where(np.isnan(ipu), ip, w * ipu + (1 - w) * ip)
        return center, np.maximum(iqr / 1.349, 0.05)
