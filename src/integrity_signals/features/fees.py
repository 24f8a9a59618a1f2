"""Fee features: excess over the posted fee, fees on free procedures, waivers, round excess.

The reference fee of a case is its posted fee: its own ``fee_official`` and
the catalog's fee for its procedure on its submission date. Where the two
differ (a unit's case system that kept the old fee after a new schedule came
into force, while the counter charges the new one), the reference is the
posted fee nearest at or below the amount charged: a fee that one of the two
records allows is not an excess. Without either, the reference is the nearest
*level* at or below the amount charged among the fees learned per procedure
from the reference period.

Without a catalog the levels are learned per procedure *and period*
(:class:`~integrity_signals.features.fee_levels.FeeLevels`): a date where a
procedure's usual amount changes for everyone (a new fee schedule) starts a new
period, while an amount that only one officer charges is never a level; the
change points found are listed in ``fee_changes_``. A round excess over a
learned level is a multiple of ``round_unit``, or, where the procedure's
smallest level is below a tenth of it (another currency, or amounts written in
thousands), of that level's leading decimal unit (10 for fines of 22-74
euros). With a catalog, the levels that fill in for procedures it has no fee
for are learned over the whole period (amounts that make up at least
``level_share`` of the procedure's cases).
"""

from __future__ import annotations

import numpy as np

from .base import CaseContext, CaseTransformer, Codebook, FeatureSpec
from .fee_levels import FeeLevels
from .peers import GroupedReference, KeyTable, PeerTails, UnitTails, at, search, shrunk_rate

__all__ = ["FeeFeatures"]

_S = FeatureSpec
_SHIFT = np.int64(1) << 40  # composite (procedure, amount in VND) keys; amounts < 1.1e12 VND
_MIN_SCALE = 10_000.0  # VND: excess is measured relative to max(reference, this)


def _weighted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys and how often each occurs."""
    distinct, counts = np.unique(keys, return_counts=True)
    return distinct, counts.astype(np.float64)


class FeeFeatures(CaseTransformer):
    """Fee irregularities against the posted or the learned fee of each procedure.

    Parameters
    ----------
    catalog : DataFrame or CatalogData, optional
        Posted fee per procedure (``fee_official``), with ``valid_from`` for schedules.
    level_share : float, default 0.05
        Share of a procedure's reference cases an amount needs to be learned as a fee level.
    round_unit : int, default 10_000
        Excess amounts that are multiples of this (VND) count as round.
    shrinkage : float, default 20
        Credibility constant for the per-procedure waiver rate.

    Attributes
    ----------
    fee_changes_ : DataFrame
        Without a catalog: one row per change of a procedure's fee levels that
        the officers made together (``procedure_id``, ``window_from``,
        ``window_to``, ``date``, ``levels_before``, ``levels_after``). Empty
        with a catalog.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame({
    ...     "case_id": ["a", "b", "c", "d"], "procedure_id": "P", "unit_id": "U", "handler_id": "h",
    ...     "submitted_at": pd.Timestamp("2025-03-03"),
    ...     "fee_charged": [50_000.0, 50_000, 150_000, 0], "fee_official": 50_000.0})
    >>> FeeFeatures().fit_transform(cases)[["fees__excess_vnd", "fees__waived"]].to_numpy().tolist()
    [[0.0, 0.0], [0.0, 0.0], [100000.0, 0.0], [-50000.0, 1.0]]
    """

    family = "fees"
    specs = (
        _S("charged", ("fee_charged",), "fee_na", "fee collected (VND)"),
        _S("fee_na", ("fee_charged",), None, "1 when no fee is recorded"),
        _S("reference", ("procedure_id", "fee_official", "catalog", "fee_charged"), "reference_na",
           "posted or learned fee for the case (VND)"),
        _S("reference_na", ("procedure_id", "fee_official", "catalog"), None,
           "1 when no posted fee and no learned level exists"),
        _S("reference_learned", ("fee_official", "catalog"), "reference_na",
           "1 when the reference was learned from the data (no posted fee)"),
        _S("excess_vnd", ("fee_charged", "fee_official", "catalog"), "fee_na|reference_na",
           "fee charged minus reference (VND)"),
        _S("excess_ratio", ("fee_charged", "fee_official", "catalog"), "fee_na|reference_na",
           "excess / max(reference, 10,000 VND)"),
        _S("excess_p", ("procedure_id", "unit_id", "fee_charged", "fee_official", "catalog"),
           "fee_na|reference_na",
           "share of peers (procedure x unit, shrunk to the procedure) with at least this relative excess"),
        _S("excess_round", ("fee_charged", "fee_official", "catalog"), "fee_na|reference_na",
           "1 when a positive excess is a multiple of the round unit (10,000 VND)"),
        _S("charged_on_free", ("fee_charged", "fee_official", "catalog"), "fee_na|reference_na",
           "1 when a fee was collected on a free procedure"),
        _S("waived", ("fee_charged", "fee_official", "catalog"), "fee_na|reference_na",
           "1 when nothing was collected on a paid procedure"),
        _S("waiver_p", ("procedure_id", "fee_charged", "fee_official", "catalog"), "fee_na|reference_na",
           "the procedure's legitimate exemption rate if waived, else 1"),
        _S("learned_z", ("procedure_id", "fee_charged"), "fee_na",
           "robust z of log(1 + fee) against the procedure's reference fees"),
        _S("posted_own", ("fee_official",), "posted_gap_na", "the posted fee the case system recorded"),
        _S("posted_catalog", ("procedure_id", "catalog"), "posted_gap_na",
           "the catalog's posted fee in force on the submission date"),
        _S("posted_gap_na", ("fee_official", "catalog"), None,
           "1 when the case system's or the catalog's posted fee is missing"),
        _S("posted_gap_p", ("procedure_id", "unit_id", "fee_official", "catalog"), "posted_gap_na",
           "share of peers whose recorded posted fee departs at least as far from the catalog's"),
    )  # fmt: skip

    #: Features that compare two sources of one fact: not applicable unless both are there.
    _both = {"posted_own": ("fee_official", "catalog"), "posted_catalog": ("fee_official", "catalog"),
             "posted_gap_p": ("fee_official", "catalog")}  # fmt: skip

    def __init__(
        self,
        *,
        catalog=None,
        level_share: float = 0.05,
        round_unit: int = 10_000,
        shrinkage: float = 20.0,
    ):
        self.catalog = catalog
        self.level_share = level_share
        self.round_unit = round_unit
        self.shrinkage = shrinkage

    calendar = None  # fees need no calendar

    def _check_params(self):
        super()._check_params()
        if not (isinstance(self.level_share, int | float) and 0 < self.level_share <= 1):
            raise ValueError(
                "The 'level_share' parameter of FeeFeatures must be a number in (0, 1]. "
                f"Got {self.level_share!r} instead."
            )
        if not (isinstance(self.round_unit, int) and self.round_unit > 0):
            raise ValueError(
                "The 'round_unit' parameter of FeeFeatures must be a positive int (VND). "
                f"Got {self.round_unit!r} instead."
            )

    @staticmethod
    def _posted(ctx: CaseContext, charged: np.ndarray) -> np.ndarray:
        """The case's posted fee, or the catalog's in force; of two that differ, the one
        nearest at or below the amount charged (the lower one if neither is)."""
        own = ctx.numbers("fee_official")
        listed = ctx.catalog_values("fee_official")
        low, high = np.fmin(own, listed), np.fmax(own, listed)  # NaN only where both are
        with np.errstate(invalid="ignore"):
            return np.where(charged >= high, high, low)

    def _learned(self, ctx: CaseContext, p: np.ndarray, charged: np.ndarray) -> np.ndarray:
        """Nearest learned level at or below the amount (the lowest level if below all)."""
        periods = getattr(self, "periods_", None)
        if periods is not None:  # no catalog: the levels in force at submission
            return periods.reference(p, charged, ctx.times("submitted_at"))
        if len(self.levels_) == 0:
            return np.full(len(p), np.nan)
        amount = np.where(np.isfinite(charged), np.round(charged), 0).astype(np.int64)
        key = p * _SHIFT + np.clip(amount, 0, _SHIFT - 1)
        pos = search(self.levels_, key, side="right") - 1
        below = (pos >= 0) & (self.levels_[np.maximum(pos, 0)] // _SHIFT == p)
        first = search(self.levels_, p * _SHIFT, side="left")
        lowest_ok = (first < len(self.levels_)) & (
            self.levels_[np.minimum(first, len(self.levels_) - 1)] // _SHIFT == p
        )
        chosen = np.where(below, pos, np.where(lowest_ok, first, -1))
        level = (self.levels_[np.maximum(chosen, 0)] % _SHIFT).astype(np.float64)
        return np.where((chosen >= 0) & (p >= 0), level, np.nan)

    @staticmethod
    def _posted_gap(ctx: CaseContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(recorded posted fee, catalog fee in force, relative gap) where both exist."""
        own, listed = ctx.numbers("fee_official"), ctx.catalog_values("fee_official")
        gap = np.abs(own - listed) / np.maximum(listed, _MIN_SCALE)
        return own, listed, gap

    def _coverage(self, ctx: CaseContext) -> dict[str, str]:
        report = super()._coverage(ctx)
        have = {"catalog": ctx.catalog is not None, "fee_official": ctx.has("fee_official")}
        for name, needs in self._both.items():
            absent = [c for c in needs if not have[c]]
            if absent:
                report[f"fees__{name}"] = "not applicable: no " + ", ".join(absent)
        return report

    def _reference(self, ctx: CaseContext, p: np.ndarray, charged: np.ndarray):
        """(reference fee, learned?) per case; computed once per batch and fitted levels."""
        return ctx.memo(
            ("fees.reference", id(self)), lambda: self._compute_reference(ctx, p, charged)
        )

    def _compute_reference(self, ctx: CaseContext, p: np.ndarray, charged: np.ndarray):
        posted = self._posted(ctx, charged)
        learned = self._learned(ctx, p, charged)
        reference = np.where(np.isnan(posted), learned, posted)
        return reference, np.isnan(posted) & ~np.isnan(learned)

    def _fit(self, ctx: CaseContext):
        self.procedures_ = Codebook(ctx.cases["procedure_id"])
        n_p = len(self.procedures_)
        p = self.procedures_.codes(*ctx.factorized("procedure_id"))
        charged = ctx.numbers("fee_charged")
        known = (p >= 0) & np.isfinite(charged) & (charged >= 0)
        amount = np.round(charged[known]).astype(np.int64)
        keys, counts = np.unique(p[known] * _SHIFT + amount, return_counts=True)
        per_p = np.bincount(keys // _SHIFT, counts, n_p)
        share = counts / per_p[keys // _SHIFT]
        is_mode = np.zeros(len(keys), dtype=bool)
        if len(keys):  # the most common amount of each procedure is always a level
            order = np.lexsort((-counts, keys // _SHIFT))
            first_of_p = np.r_[True, np.diff(keys[order] // _SHIFT) != 0]
            is_mode[order[first_of_p]] = True
        self.levels_ = keys[(share >= self.level_share) | is_mode]
        self.periods_ = None
        if self.catalog is None:  # levels per procedure and period; change points shared by all
            officers, _ = ctx.factorized("handler_id")
            self.periods_ = FeeLevels(self.level_share).fit(
                p, charged, ctx.times("submitted_at"), officers
            )
        levels = self.periods_ if self.periods_ is not None else FeeLevels(self.level_share)
        self.fee_changes_ = levels.changes(self.procedures_.categories)
        reference, _ = self._reference(ctx, p, charged)
        rel = (charged - reference) / np.maximum(reference, _MIN_SCALE)
        self.units_ = Codebook(ctx.cases["unit_id"])
        self.officers_ = Codebook(ctx.cases["handler_id"])
        codes = self._codes(ctx, p)
        self.excess_ = PeerTails(p, codes[2], rel)
        self.gap_ = UnitTails(p, codes[1], self._posted_gap(ctx)[2], float(self.shrinkage))
        # waivers: each procedure's exemption rate, and each officer's part of it (left out)
        paid = (p >= 0) & (reference > 0) & np.isfinite(charged)
        waived = paid & (charged == 0)
        o = codes[2]
        n_o = len(self.officers_)
        self.waivers_ = np.bincount(p[waived], minlength=n_p).astype(float)
        self.paid_ = np.bincount(p[paid], minlength=n_p).astype(float)
        po = np.where(o >= 0, p * n_o + o, -1)
        self.officer_waivers_ = KeyTable(*_weighted(po[waived & (o >= 0)]))
        self.officer_paid_ = KeyTable(*_weighted(po[paid & (o >= 0)]))
        self.waiver_overall_ = float(waived.sum() / max(paid.sum(), 1))
        log_fee = np.log1p(np.where(known, charged, np.nan))
        self.fee_ref_ = GroupedReference(p, log_fee, n_p)

    def _codes(self, ctx: CaseContext, p: np.ndarray):
        """(procedure, unit, officer) codes of the fit (-1 = unseen)."""
        u = self.units_.codes(*ctx.factorized("unit_id"))
        o = self.officers_.codes(*ctx.factorized("handler_id"))
        return p, u, o

    def _waiver_rate(self, p: np.ndarray, o: np.ndarray) -> np.ndarray:
        """The procedure's exemption rate among the other officers' paid cases (shrunk)."""
        n_o = len(self.officers_)
        po = np.where((p >= 0) & (o >= 0), p * n_o + o, -1)
        own_w = np.nan_to_num(self.officer_waivers_.get(po))
        own_p = np.nan_to_num(self.officer_paid_.get(po))
        waived = np.where(p >= 0, at(self.waivers_, p), 0.0) - own_w
        paid = np.where(p >= 0, at(self.paid_, p), 0.0) - own_p
        return shrunk_rate(waived, paid, self.waiver_overall_, float(self.shrinkage))

    def _transform(self, ctx: CaseContext) -> dict:
        p = self.procedures_.codes(*ctx.factorized("procedure_id"))
        codes = self._codes(ctx, p)
        charged = ctx.numbers("fee_charged")
        reference, learned = self._reference(ctx, p, charged)
        excess = charged - reference
        rel = excess / np.maximum(reference, _MIN_SCALE)
        # against the other officers' excesses on the procedure
        _, excess_p, _ = self.excess_.tails(p, codes[2], rel)
        excess_p = np.where(
            np.isfinite(rel) & np.isnan(excess_p), 0.5, excess_p
        )  # unseen procedure
        waived = (reference > 0) & (charged == 0)
        rate = self._waiver_rate(p, codes[2])
        med = at(self.fee_ref_.quantile(0.5), p)
        iqr = at(self.fee_ref_.quantile(0.75) - self.fee_ref_.quantile(0.25), p)
        na = np.isnan(reference) | np.isnan(charged)
        unit = float(self.round_unit)
        periods = getattr(self, "periods_", None)
        if periods is not None:  # a learned level sets the scale of a round amount
            unit = np.where(learned, periods.round_unit(p, unit), unit)
        own, listed, gap = self._posted_gap(ctx)
        _, gap_p, _ = self.gap_.tails(p, codes[1], gap)
        gap_na = np.isnan(gap)
        return {
            "charged": charged,
            "fee_na": np.isnan(charged),
            "reference": reference,
            "reference_na": np.isnan(reference),
            "reference_learned": np.where(np.isnan(reference), np.nan, learned),
            "excess_vnd": excess,
            "excess_ratio": rel,
            "excess_p": np.where(na, np.nan, excess_p),
            "excess_round": np.where(na, np.nan, (excess > 0) & (np.mod(excess, unit) == 0)),
            "charged_on_free": np.where(na, np.nan, (reference == 0) & (charged > 0)),
            "waived": np.where(na, np.nan, waived),
            "waiver_p": np.where(na, np.nan, np.where(waived, rate, 1.0)),
            "learned_z": (np.log1p(charged) - med) / np.maximum(iqr / 1.349, 0.05),
            "posted_own": np.where(gap_na, np.nan, own),
            "posted_catalog": np.where(gap_na, np.nan, listed),
            "posted_gap_na": gap_na,
            "posted_gap_p": np.where(gap_na, np.nan, np.where(np.isnan(gap_p), 0.5, gap_p)),
        }
