"""Repeat-handler features: applicant-officer pairs against the unit's assignment pattern.

``fit`` learns how each unit assigns each procedure to its officers,
``P(officer | procedure, unit)``, shrunk towards the officer's share of the
unit's dossiers in the procedure's sector (units work by desk: the land
officers share the land dossiers, whatever the procedure; the catalog's
``sector`` column says which), counting every applicant once (one vote each,
whatever the number of dossiers) so that a broker's steered dossiers do not
become the norm. A procedure new since the reference period takes its
sector's shares. Without sectors the shrinkage target is the officer's share
of the whole unit, renormalised over the officers seen on the procedure. The pair
counts themselves are relational within the batch being transformed (how many
of this applicant's dossiers in the batch went to this officer), as are the
officer concentration figures. Legitimate heavy filers (law offices, notaries)
spread over officers by the normal assignment have a pair lift near 1; a
broker steered to one officer does not.

A dossier submitted after (or before) the reference period is judged with its
applicant's reference record added: ``applicant_cases``, ``pair_cases`` and
``pair_expected`` then count the reference dossiers plus the batch's new ones,
so a quarter's nine steered dossiers are seen as the year's ninety-nine.
Dossiers from inside the reference period get the batch's figures alone (the
record already holds them; nothing is counted twice).

Without ``applicant_id`` the pair features are NaN with ``handlers__applicant_na = 1``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..detectors.pairs import (
    EXACT_MAX_DOSSIERS,
    PAIR_EVIDENCE_CAP,
    binomial_event_chance,
    exact_event_chance,
    pair_tail,
)
from ..signals import OCCURRENCE_ALPHA
from .base import CaseContext, CaseTransformer, Codebook, FeatureSpec, outside_period, period_of
from .peers import GroupedReference, KeyTable, at, shrunk_rate, unique_sorted

__all__ = ["HandlerFeatures"]

_S = FeatureSpec


def _applicant_sizes(a: np.ndarray) -> np.ndarray:
    """Per row: its applicant's number of rows (rows without an applicant, code -1, get 0)."""
    known = a >= 0
    sizes = np.bincount(a[known], minlength=int(a.max(initial=-1)) + 1)
    return np.where(known, sizes[np.maximum(a, 0)] if sizes.size else 0, 0)


def _counts(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the size of its code's group; and the group codes (0..k-1) of the rows."""
    group, _ = pd.factorize(codes)
    size = np.bincount(group)
    return size[group], group


#: Applicants with more reference dossiers than this keep no record: placeholder ids ("0",
#: "N/A") and the largest filers, whose batch alone exceeds the pair test's evidence cap.
RECORD_MAX_DOSSIERS = 10 * PAIR_EVIDENCE_CAP


def _weighted_counts(keys: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys and the summed weight of each."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq, np.bincount(inverse, weight, len(uniq))


def _distinct(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Number of distinct non-negative ``values`` per group code."""
    width = np.int64(values.max(initial=0)) + 2
    keys = unique_sorted(group.astype(np.int64) * width + values + 1)
    return np.bincount(keys // width, minlength=n_groups)


class HandlerFeatures(CaseTransformer):
    """Applicant-officer repetition, officer concentration and separation of duties.

    Parameters
    ----------
    catalog : DataFrame or CatalogData, optional
        The procedures' ``sector``: officers' shares of each sector are the assignment prior.
    shrinkage : float, default 5
        Credibility constant of the procedure x unit assignment shares.
    top_k : int, default 3
        Officer concentration is the share of an officer's cases from its ``top_k`` applicants.

    Attributes
    ----------
    record_ : dict or None
        The applicant record of the reference period (pair counts per applicant and
        officer, each applicant's dossiers per procedure and unit); None without applicants.
    reference_period_ : tuple of datetime64
        First and last submission of the reference period: dossiers outside it are
        pooled with the record.
    applicants_ : Codebook or None
        Applicants of the reference period.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame({
    ...     "case_id": list("abcdef"), "procedure_id": "P", "unit_id": "U",
    ...     "handler_id": ["h1", "h1", "h1", "h2", "h2", "h1"],
    ...     "applicant_id": ["broker", "broker", "broker", "x", "y", "z"],
    ...     "submitted_at": pd.Timestamp("2025-03-03")})
    >>> f = HandlerFeatures().fit_transform(cases)
    >>> f.loc[0, ["handlers__pair_cases", "handlers__applicant_cases"]].tolist()
    [3.0, 3.0]
    """

    family = "handlers"
    specs = (
        _S("applicant_na", ("applicant_id",), None, "1 when the applicant is not recorded"),
        _S("applicant_cases", ("applicant_id",), "applicant_na",
           "the applicant's dossiers (batch, plus the reference record for new dossiers)"),
        _S("applicant_procedures", ("applicant_id", "procedure_id"), "applicant_na",
           "distinct procedures the applicant filed (batch)"),
        _S("applicant_handlers", ("applicant_id", "handler_id"), "applicant_na",
           "distinct officers who handled the applicant's dossiers (batch)"),
        _S("pair_cases", ("applicant_id", "handler_id"), "applicant_na",
           "the applicant's dossiers handled by this officer (as applicant_cases)"),
        _S("pair_share", ("applicant_id", "handler_id"), "applicant_na",
           "pair_cases / applicant_cases"),
        _S("pair_expected", ("applicant_id", "handler_id", "procedure_id", "unit_id", "catalog"),
           "applicant_na",
           "pair cases expected from the units' assignment of the applicant's procedures"),
        _S("pair_lift", ("applicant_id", "handler_id", "procedure_id", "unit_id", "catalog"),
           "applicant_na",
           "pair_cases / pair_expected"),
        _S("pair_p", ("applicant_id", "handler_id", "procedure_id", "unit_id", "catalog"),
           "applicant_na",
           "binomial tail P(X >= pair_cases) at 1.5x the odds of the expected share, evidence "
           "capped at 30 dossiers; 1 for one dossier"),
        _S("pair_chance", ("applicant_id", "handler_id", "procedure_id", "unit_id", "catalog"),
           "applicant_na",
           "chance under the assignment that this dossier's pair reaches the pair test's event "
           "threshold (exact for applicants with up to 12 dossiers in the batch; else binomial)"),
        _S("assignment_share", ("handler_id", "procedure_id", "unit_id", "catalog"), None,
           "the chance that the unit's assignment gives this dossier to this officer"),
        _S("officer_top_share", ("applicant_id", "handler_id"), "applicant_na",
           "share of the officer's cases from its top applicants (batch)"),
        _S("officer_concentration_p", ("applicant_id", "handler_id"), "applicant_na",
           "share of reference officers at least as concentrated"),
        _S("receiver_na", ("receiver_id",), None, "1 when the receiving officer is not recorded"),
        _S("receiver_is_handler", ("receiver_id", "handler_id"), "receiver_na",
           "1 when the officer who received the dossier also processed it"),
        _S("receiver_is_handler_p", ("receiver_id", "handler_id", "unit_id"), "receiver_na",
           "the unit's rate of receiver = processor if this is one, else 1"),
    )  # fmt: skip

    def __init__(self, *, catalog=None, shrinkage: float = 5.0, top_k: int = 3):
        self.catalog = catalog
        self.shrinkage = shrinkage
        self.top_k = top_k

    calendar = None  # assignments need no calendar

    def _check_params(self):
        super()._check_params()
        if not (isinstance(self.top_k, int) and self.top_k >= 1):
            raise ValueError(
                f"The 'top_k' parameter of HandlerFeatures must be an int >= 1. Got {self.top_k!r} instead."
            )
        if not isinstance(self.shrinkage, int | float) or self.shrinkage < 0:
            raise ValueError(
                "The 'shrinkage' parameter of HandlerFeatures must be a number >= 0. "
                f"Got {self.shrinkage!r} instead."
            )

    # ------------------------------------------------------------------ fitted codes
    def _codes(self, ctx: CaseContext):
        return ctx.memo(("handlers.codes", id(self), self.fits_), lambda: self._compute_codes(ctx))

    def _compute_codes(self, ctx: CaseContext):
        """Fitted codes; a procedure new since the reference that the catalog puts in a sector
        gets that sector's code after the fitted procedures (its officers' sector shares apply)."""
        codes, uniques = ctx.factorized("procedure_id")
        p = self.procedures_.codes(codes, uniques)
        if len(self.sector_ids_) and (p < 0).any():
            at_catalog = self.sector_ids_.get_indexer(uniques)
            sector = np.append(np.where(at_catalog >= 0, self.sector_codes_[at_catalog], -1), -1)
            new = (p < 0) & (sector[codes] >= 0)
            p = np.where(new, len(self.procedures_) + sector[codes], p)
        u = self.units_.codes(*ctx.factorized("unit_id"))
        h = self.handlers_.codes(*ctx.factorized("handler_id"))
        return p, u, h

    def _assign_prob(self, p, u, h) -> np.ndarray:
        """P(officer h | procedure p, unit u), shrunk; fallbacks for unseen combinations.

        Shrinkage target: the officer's share of the unit's dossiers in the
        procedure's sector (itself shrunk towards its share of the unit). Where
        the sector is unknown: the officer's share of the unit, renormalised
        over the officers seen handling this procedure in this unit (so an
        officer who covers a procedure alone is expected to get all of it).
        A procedure new since the reference takes its sector's shares; one in no
        known sector gets 1 for every known officer of a known unit (its
        dossiers are no evidence of steering); a new officer or unit gets half
        of an even split among the unit's officers.
        """
        n_u, n_h = len(self.units_), len(self.handlers_)
        k = float(self.shrinkage)
        # int64 keys: the record keeps int32 codes, and p * n_u * n_h can pass 2**31
        p, u, h = (np.asarray(c, dtype=np.int64) for c in (p, u, h))
        pu = p * n_u + u
        known = (p >= 0) & (u >= 0) & (h >= 0)
        in_unit = np.nan_to_num(self.unit_share_.get(u * n_h + h))
        n_pu = np.nan_to_num(self.pu_count_.get(pu))
        n_puh = np.nan_to_num(self.puh_count_.get(pu * n_h + h))
        norm = self.pu_active_share_.get(pu)
        prior = np.where(norm > 0, np.minimum(in_unit / norm, 1.0), in_unit)
        has_sector, su = self._sector_units(p, u)
        has_sector &= known
        if has_sector.any():
            n_su = np.nan_to_num(self.su_count_.get(su))
            n_suh = np.nan_to_num(self.suh_count_.get(su * n_h + h))
            prior = np.where(has_sector, shrunk_rate(n_suh, n_su, in_unit, k), prior)
        prob = shrunk_rate(n_puh, n_pu, prior, k)
        floor = 1.0 / np.maximum(at(self.unit_officers_, u), 1.0)  # new officer or unit
        # a procedure never seen and in no known sector says nothing about the unit's
        # assignment: its dossiers are taken to go where they went (no evidence of steering)
        unplaced = (p < 0) & (u >= 0) & (h >= 0)
        fallback = np.where(unplaced, 1.0, np.where(np.isnan(floor), 0.5, floor) * 0.5)
        return np.where(known & (prob > 0), prob, fallback)

    def _sector_units(self, p, u) -> tuple[np.ndarray, np.ndarray]:
        """Which rows' procedures have a known sector, and their (sector, unit) keys (0 elsewhere)."""
        sector = at(self.sector_of_, p)  # NaN: no sector known
        known = sector >= 0
        return known, np.where(known, sector, 0).astype(np.int64) * len(self.units_) + u

    def _fit(self, ctx: CaseContext):
        # a new generation of fitted state: figures cached on a context by an earlier fit
        # (or by a transform with it) are never reused
        self.fits_ = getattr(self, "fits_", 0) + 1
        self.procedures_ = Codebook(ctx.cases["procedure_id"])
        self.units_ = Codebook(ctx.cases["unit_id"])
        self.handlers_ = Codebook(ctx.cases["handler_id"])
        # the desks: the catalog's sector of each procedure
        self.sector_ids_, self.sector_codes_ = self._sectors(ctx)
        n_sectors = int(self.sector_codes_.max(initial=-1)) + 1
        fitted = self.sector_ids_.get_indexer(self.procedures_.categories)
        self.sector_of_ = (  # fitted procedures, then one stand-in per sector for new ones
            np.r_[np.where(fitted >= 0, self.sector_codes_[fitted], -1), np.arange(n_sectors)]
            if n_sectors
            else np.array([], dtype=np.int64)
        ).astype(np.float64)
        p, u, h = self._codes(ctx)
        n_u, n_h = len(self.units_), len(self.handlers_)
        pu = p * n_u + u
        # Each applicant has one vote in the assignment pattern, however many dossiers it
        # filed: a broker steered to one officer must not teach the model that this officer
        # "normally" gets the broker's procedures.
        weight = self._applicant_weights(ctx)
        pu_keys, pu_counts = _weighted_counts(pu, weight)
        puh_keys, puh_counts = _weighted_counts(pu * n_h + h, weight)
        hu_keys, hu_counts = _weighted_counts(u * n_h + h, weight)
        unit_total = np.bincount(u, weight, minlength=n_u)
        self.pu_count_ = KeyTable(pu_keys, pu_counts)
        self.puh_count_ = KeyTable(puh_keys, puh_counts)
        self.unit_share_ = KeyTable(hu_keys, hu_counts / unit_total[hu_keys // n_h])
        self.unit_officers_ = np.bincount(hu_keys // n_h, minlength=n_u).astype(np.float64)
        active_pu = puh_keys // n_h  # pu of each (pu, officer) seen
        share = self.unit_share_.get((active_pu % n_u) * n_h + puh_keys % n_h)
        self.pu_active_share_ = KeyTable(
            pu_keys, np.bincount(self.pu_count_.position(active_pu), share, len(pu_keys))
        )
        # each officer's share of the unit's dossiers in each sector
        with_sector, su = self._sector_units(p, u)
        self.su_count_ = KeyTable(*_weighted_counts(su[with_sector], weight[with_sector]))
        self.suh_count_ = KeyTable(
            *_weighted_counts((su * n_h + h)[with_sector], weight[with_sector])
        )
        self.record_ = None  # the batch figures of the reference itself, without a record
        pairs = self._pairs(ctx, p, u, h)
        officer_share = pairs["top_share"]
        first_row = (
            np.unique(h, return_index=True)[1] if ctx.has("applicant_id") else np.array([], int)
        )
        self.concentration_ref_ = GroupedReference(
            np.zeros(len(first_row), dtype=np.int64), officer_share[first_row], 1
        )
        # receiver = processor: each unit's rate, and each officer's part of it (left out)
        same = self._receiver(ctx)
        known = ~np.isnan(same) & (u >= 0)
        self.receiver_same_ = np.bincount(u[known], same[known], n_u)
        self.receiver_cases_ = np.bincount(u[known], minlength=n_u).astype(np.float64)
        uh = (u * n_h + h)[known & (h >= 0)]
        self.receiver_officer_same_ = KeyTable(*_weighted_counts(uh, same[known & (h >= 0)]))
        self.receiver_officer_cases_ = KeyTable(*_weighted_counts(uh, np.ones(uh.size)))
        self.receiver_overall_ = float(same[known].mean()) if known.any() else 0.0
        self._fit_record(ctx, p, u, h)

    @staticmethod
    def _sectors(ctx: CaseContext) -> tuple[pd.Index, np.ndarray]:
        """The catalog's procedures with a sector, and their sector codes (0, 1, ...).

        With a fee schedule the row with the latest ``valid_from`` names a
        procedure's sector. Empty without a catalog ``sector`` column.
        """
        catalog = ctx.catalog
        if catalog is None or "sector" not in catalog.columns:
            return pd.Index([]), np.array([], dtype=np.int64)
        rows = catalog.loc[catalog["sector"].notna()]
        if "valid_from" in rows.columns:  # undated rows first: they apply from the start
            rows = rows.sort_values("valid_from", kind="stable", na_position="first")
        rows = rows.drop_duplicates("procedure_id", keep="last")
        sector_codes, _ = pd.factorize(rows["sector"])
        return pd.Index(rows["procedure_id"]), sector_codes.astype(np.int64)

    @staticmethod
    def _applicant_weights(ctx: CaseContext) -> np.ndarray:
        """1 / (the applicant's dossiers) per case; 1 where no applicant is recorded."""
        a, _ = ctx.factorized("applicant_id")
        sizes = _applicant_sizes(a)
        return np.where(a >= 0, 1.0 / np.maximum(sizes, 1), 1.0)

    def _receiver_rate(self, u: np.ndarray, h: np.ndarray) -> np.ndarray:
        """The unit's rate of receiver = processor among its other officers' dossiers (shrunk)."""
        uh = np.where((u >= 0) & (h >= 0), u * len(self.handlers_) + h, -1)
        same = at(self.receiver_same_, u) - np.nan_to_num(self.receiver_officer_same_.get(uh))
        cases = at(self.receiver_cases_, u) - np.nan_to_num(self.receiver_officer_cases_.get(uh))
        rate = shrunk_rate(np.nan_to_num(same), np.nan_to_num(cases), self.receiver_overall_, 20.0)
        return np.where(u >= 0, rate, self.receiver_overall_)

    def _receiver(self, ctx: CaseContext) -> np.ndarray:
        return ctx.memo("handlers.receiver", lambda: self._compute_receiver(ctx))

    @staticmethod
    def _compute_receiver(ctx: CaseContext) -> np.ndarray:
        if not ctx.has("receiver_id"):
            return np.full(ctx.n, np.nan)
        rec = pa.array(ctx.cases["receiver_id"], type=pa.string(), from_pandas=True)
        hand = pa.array(ctx.cases["handler_id"], type=pa.string(), from_pandas=True)
        same = pc.equal(rec, hand)  # null where no receiver is recorded
        values = same.fill_null(False).to_numpy(zero_copy_only=False).astype(np.float64)
        return np.where(same.is_null().to_numpy(zero_copy_only=False), np.nan, values)

    def _assignment(self, ctx: CaseContext, p, u, h) -> np.ndarray:
        """Per row: the chance that the unit assigns this dossier to its officer (this fit)."""
        key = ("handlers.assignment", id(self), self.fits_)
        return ctx.memo(key, lambda: self._compute_assignment(p, u, h))

    def _compute_assignment(self, p, u, h) -> np.ndarray:
        """:meth:`_assign_prob` once per distinct (procedure, unit, officer), spread to the rows."""
        n_u, n_h = len(self.units_) + 1, len(self.handlers_) + 1  # codes -1 shift to 0
        combo, distinct = pd.factorize(((p + 1).astype(np.int64) * n_u + u + 1) * n_h + h + 1)
        pu, h_d = np.divmod(distinct, n_h)
        p_d, u_d = np.divmod(pu, n_u)
        return self._assign_prob(p_d - 1, u_d - 1, h_d - 1)[combo]

    def _pairs(self, ctx: CaseContext, p, u, h) -> dict:
        """Batch pair statistics (with this fitted assignment model); all NaN without applicants."""
        key = ("handlers.pairs", id(self), self.fits_)  # figures of this fit only
        return ctx.memo(key, lambda: self._compute_pairs(ctx, p, u, h))

    def _compute_pairs(self, ctx: CaseContext, p, u, h) -> dict:
        n = ctx.n
        if not ctx.has("applicant_id"):
            nan = np.full(n, np.nan)
            return dict.fromkeys(
                (
                    "applicant_cases",
                    "procedures",
                    "handlers",
                    "pair_cases",
                    "expected",
                    "chance",
                    "top_share",
                ),
                nan,
            )
        a, applicants = ctx.factorized("applicant_id")
        hb, handlers = ctx.factorized("handler_id")
        pb, _ = ctx.factorized("procedure_id")
        n_hb = max(len(handlers), 1)
        has_a = a >= 0
        own = self._assignment(ctx, p, u, h)  # memoised
        counts = self._pair_counts(a, hb, p, u, h, n_hb, own)
        n_a = int(a.max(initial=-1)) + 1
        procedures = np.where(has_a, _distinct(a[has_a], pb[has_a], n_a)[np.maximum(a, 0)], np.nan)
        officers = np.where(has_a, _distinct(a[has_a], hb[has_a], n_a)[np.maximum(a, 0)], np.nan)
        # officer concentration: share of the officer's cases from its top_k applicants
        pair_group = counts["group"]
        pairs = pd.DataFrame({"h": hb[has_a], "pair": pair_group[has_a]}).drop_duplicates("pair")
        pairs["n"] = np.bincount(pair_group[has_a])[pairs["pair"].to_numpy()]
        pairs = pairs.sort_values(["h", "n"], ascending=[True, False], kind="stable")
        pairs["rank"] = pairs.groupby("h", sort=False).cumcount()
        top = pairs[pairs["rank"] < self.top_k].groupby("h")["n"].sum()
        load = np.bincount(np.maximum(hb, 0), minlength=n_hb)
        top_share = np.full(n_hb, np.nan)
        top_share[top.index.to_numpy()] = top.to_numpy() / np.maximum(load[top.index.to_numpy()], 1)
        out = {
            "applicant_cases": counts["applicant_cases"],
            "procedures": procedures,
            "handlers": officers,
            "pair_cases": counts["pair_cases"],
            "expected": counts["expected"],
            "chance": counts["chance"],
            "top_share": at(top_share, hb),
            "group": pair_group,
        }
        new = outside_period(ctx.times("submitted_at"), getattr(self, "reference_period_", None))
        known = getattr(ctx, "in_record", None)  # dossiers the record holds already (overlap guard)
        if known is not None:
            new &= ~known
        if new.any() and getattr(self, "record_", None) is not None:
            self._add_record(out, new & has_a, a, applicants, hb, p, u, h, n_hb, own)
        return out

    def _pair_counts(self, a, hb, p, u, h, n_hb, own) -> dict:
        """Per row: the applicant's dossiers, this pair's, and the pair's expected count.

        ``own`` is each row's own assignment chance (the expectation of a one-dossier applicant).
        """
        n = len(a)
        has_a = a >= 0
        applicant_cases = np.where(has_a, _applicant_sizes(a), np.nan)
        pair_cases, pair_group = _counts(np.where(has_a, a * n_hb + hb, -1 - np.arange(n)))
        expected, chance = self._expected(a, hb, p, u, h, pair_group, has_a, own)
        return {
            "applicant_cases": applicant_cases,
            "pair_cases": np.where(has_a, pair_cases, np.nan),
            "expected": expected,
            "chance": chance,
            "group": pair_group,
        }

    def _fit_record(self, ctx: CaseContext, p, u, h) -> None:
        """Each applicant's reference record: its dossiers' procedures and units, and per officer.

        A dossier submitted after the reference period is judged with its
        applicant's record added: a broker's ninth steered dossier of the quarter
        is its ninety-ninth of the year.
        """
        self.reference_period_ = period_of(ctx.times("submitted_at"))
        self.record_ = self.applicants_ = None
        if not ctx.has("applicant_id"):
            return
        a, uniques = ctx.factorized("applicant_id")
        self.applicants_ = Codebook.from_uniques(uniques)  # a's codes are the book's
        n_a, n_h = len(self.applicants_), len(self.handlers_)
        pairs = self._pairs(ctx, p, u, h)  # the reference's own figures, computed already
        sizes = np.bincount(a[a >= 0], minlength=n_a)
        # procedure, unit and officer are required (all known); placeholder ids ("0", "N/A")
        # and the largest filers stay out: their batch alone exceeds the pair test's evidence cap
        rows = np.flatnonzero((a >= 0) & (sizes[np.maximum(a, 0)] <= RECORD_MAX_DOSSIERS))
        group = pairs.pop("group")  # needed here only (a later fit caches its own figures)
        # one row per pair stands for it: its rows share applicant, officer and count
        first = np.full(int(group.max(initial=-1)) + 1, -1, dtype=np.int64)
        first[group[rows]] = rows
        first = first[first >= 0]
        by_applicant = rows[np.argsort(a[rows], kind="stable")]
        kept = np.where(sizes <= RECORD_MAX_DOSSIERS, sizes, 0)
        self.record_ = {
            "pairs": KeyTable(a[first] * n_h + h[first], pairs["pair_cases"][first]),
            "cases": kept.astype(np.int32),
            # every recorded dossier's procedure and unit, grouped by applicant
            "start": np.concatenate([[0], np.cumsum(kept)]).astype(
                np.int32 if len(rows) < 2**31 else np.int64
            ),
            "p": p[by_applicant].astype(np.int32),
            "u": u[by_applicant].astype(np.int32),
        }

    def _add_record(self, out, rows_mask, a, applicants, hb, p, u, h, n_hb, own) -> None:
        """Pool the new rows' pair figures with their applicants' reference records (in place)."""
        rows = np.flatnonzero(rows_mask)
        rec = self.record_
        if rows.size == int((a >= 0).sum()):  # the usual later batch: every dossier is new
            fresh = {k: out[k][rows] for k in ("pair_cases", "applicant_cases", "expected")}
        else:
            fresh = self._pair_counts(a[rows], hb[rows], p[rows], u[rows], h[rows], n_hb, own[rows])
        ref_a = self.applicants_.codes(a, applicants)[rows]
        seen = ref_a >= 0
        n_h = len(self.handlers_)
        officer = h[rows]
        k_ref = np.where(seen & (officer >= 0), rec["pairs"].get(ref_a * n_h + officer), 0.0)
        n_ref = np.where(seen, rec["cases"][np.maximum(ref_a, 0)], 0.0)
        # expected reference dossiers of each distinct (applicant, officer): sum over the
        # applicant's reference dossiers of the chance that this officer is assigned
        keys, inverse = np.unique(
            np.where(seen, ref_a * (n_h + 1) + officer + 1, -1), return_inverse=True
        )
        pair_a, pair_h = np.divmod(np.maximum(keys, 0), n_h + 1)
        lo, hi = rec["start"][pair_a], rec["start"][pair_a + 1]
        size = np.where(keys >= 0, hi - lo, 0)
        which = np.repeat(np.arange(len(keys)), size)
        grid = np.repeat(lo - np.cumsum(size) + size, size) + np.arange(size.sum())
        prob = self._compute_assignment(rec["p"][grid], rec["u"][grid], pair_h[which] - 1)
        e_ref = np.bincount(which, prob, len(keys))[inverse]
        out["pair_cases"][rows] = fresh["pair_cases"] + np.nan_to_num(k_ref)
        out["applicant_cases"][rows] = fresh["applicant_cases"] + n_ref
        out["expected"][rows] = fresh["expected"] + e_ref
        # pooled with a record: the exact chance of the batch alone no longer applies
        out["chance"][rows] = np.where(seen, np.nan, out["chance"][rows])

    def _expected(self, a, hb, p, u, h, pair_group, has_a, own):
        """Per row: the pair's expected count (the sum over the applicant's dossiers of
        P(this officer | the dossier's procedure, unit)), and the exact chance that the pair
        reaches the pair test's event threshold (applicants with up to
        :data:`~integrity_signals.detectors.pairs.EXACT_MAX_DOSSIERS` dossiers; NaN elsewhere).

        One-dossier applicants need no grid: their expectation is the chance of
        their own assignment, ``own``, and they are never a repeated pair.
        """
        out = np.full(len(a), np.nan)
        chance = np.full(len(a), np.nan)
        sizes = _applicant_sizes(a)
        single = np.flatnonzero(has_a & (sizes == 1))
        out[single] = own[single]
        chance[single] = 0.0
        rows = np.flatnonzero(has_a & (sizes > 1))
        if rows.size == 0:
            return out, chance
        dossiers = pd.DataFrame({"a": a[rows], "p": p[rows], "u": u[rows]})
        dossiers = dossiers.groupby(["a", "p", "u"], sort=False).size().rename("k").reset_index()
        dossiers["g"] = dossiers.groupby("a", sort=False).cumcount()  # the group within applicant
        officers = pd.DataFrame({"a": a[rows], "h": h[rows], "pair": pair_group[rows]})
        officers = officers.drop_duplicates("pair")
        grid = officers.merge(dossiers, on="a", how="inner")
        prob = self._compute_assignment(
            grid["p"].to_numpy(), grid["u"].to_numpy(), grid["h"].to_numpy()
        )
        per_pair = pd.Series(grid["k"].to_numpy() * prob).groupby(grid["pair"].to_numpy()).sum()
        table = np.full(int(pair_group.max(initial=-1)) + 1, np.nan)
        table[per_pair.index.to_numpy()] = per_pair.to_numpy()
        out[rows] = table[pair_group[rows]]
        small = rows[sizes[rows] <= EXACT_MAX_DOSSIERS]
        if small.size:
            chance[small] = self._exact_chance(small, a, p, u, pair_group, grid, prob, out, sizes)
        return out, chance

    @staticmethod
    def _exact_chance(rows, a, p, u, pair_group, grid, prob, expected, sizes) -> np.ndarray:
        """The exact pair-event chance of small applicants' rows (see ``_expected``)."""
        small = grid["a"].isin(np.unique(a[rows])).to_numpy()
        g = grid.loc[small]
        n_groups = int(g["g"].max()) + 1
        pairs, at_pair = np.unique(g["pair"].to_numpy(), return_inverse=True)
        counts = np.zeros((len(pairs), n_groups), dtype=np.int64)
        shares = np.zeros((len(pairs), n_groups))
        counts[at_pair, g["g"].to_numpy()] = g["k"].to_numpy()
        shares[at_pair, g["g"].to_numpy()] = prob[small]
        # each row's own group: its (applicant, procedure, unit) within the applicant
        key = pd.DataFrame({"a": a[rows], "p": p[rows], "u": u[rows]})
        own = key.merge(
            g.drop_duplicates(["a", "p", "u"])[["a", "p", "u", "g"]], on=["a", "p", "u"],
            how="left",
        )["g"].to_numpy()  # fmt: skip
        at = np.searchsorted(pairs, pair_group[rows])
        n = sizes[rows].astype(np.float64)
        q = np.clip(expected[rows] / n, 1e-9, 1 - 1e-9)
        return exact_event_chance(counts[at], shares[at], own, n, q, OCCURRENCE_ALPHA)

    def _transform(self, ctx: CaseContext) -> dict:
        p, u, h = self._codes(ctx)
        own = self._assignment(ctx, p, u, h)
        pairs = self._pairs(ctx, p, u, h)
        k, n, e = pairs["pair_cases"], pairs["applicant_cases"], pairs["expected"]
        with np.errstate(invalid="ignore", divide="ignore"):
            q = np.clip(e / n, 1e-6, 1.0)
            pair_p = pair_tail(k, n, q)
        hb, _ = ctx.factorized("handler_id")  # one tail per officer, then spread to its cases
        first = np.unique(np.maximum(hb, 0), return_index=True)[1]
        _, per_officer, _ = self.concentration_ref_.tails(
            np.zeros(len(first), dtype=np.int64), pairs["top_share"][first]
        )
        table = np.full(int(hb.max(initial=-1)) + 2, np.nan)
        table[np.maximum(hb, 0)[first]] = per_officer
        conc_p = table[np.maximum(hb, 0)]
        same = self._receiver(ctx)
        rate = self._receiver_rate(u, h)
        no_applicant = np.isnan(n)
        # exact for small applicants of this batch alone; the binomial approximation elsewhere
        chance = np.where(
            np.isfinite(pairs["chance"]),
            pairs["chance"],
            binomial_event_chance(n, e, own, OCCURRENCE_ALPHA),
        )
        return {
            "applicant_na": no_applicant,
            "applicant_cases": n,
            "applicant_procedures": pairs["procedures"],
            "applicant_handlers": pairs["handlers"],
            "pair_cases": k,
            "pair_share": k / n,
            "pair_expected": e,
            "pair_lift": k / e,
            "pair_p": np.where(no_applicant, np.nan, pair_p),
            "pair_chance": np.where(no_applicant, np.nan, chance),
            "assignment_share": own,
            "officer_top_share": pairs["top_share"],
            "officer_concentration_p": np.where(no_applicant, np.nan, conc_p),
            "receiver_na": np.isnan(same),
            "receiver_is_handler": same,
            "receiver_is_handler_p": np.where(
                np.isnan(same), np.nan, np.where(same == 1, rate, 1.0)
            ),
        }
