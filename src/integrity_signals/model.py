"""RiskModel: calibrated, explained risk of cases, officers and units.

How a case's risk is built (all p-values: small = unusual under peer behaviour):

1. **Own evidence.** For each signal (:data:`~integrity_signals.detectors.statistical.SIGNALS`)
   the case's calibrated tail probability within its peer group.
2. **Context.** Officers who run a scheme produce many events of one kind.
   Each officer's count of events of each signal is tested against the count
   its own case mix predicts (over-dispersed, see
   :mod:`~integrity_signals.detectors.entity`); a case that is an event for a
   signal inherits its officer's p-value for that signal. A self-received
   dossier means little alone, and a lot when its officer has forty. Cases
   submitted after the reference period are also counted together with the
   officer's reference record, so a quiet month still knows last year's pattern.
3. **Isolation forest** on the peer-normalised features, as an empirical p-value.

They are combined per case with the Cauchy combination test; ``risk_score``
is ``-log10`` of the combined p-value (comparable across batches scored by
the same model) and orders the cases.

``flagged`` means ``q_value <= fdr`` (5 % by default). The officer's p-value
says that an officer has too many events of a kind, not which of them are the
excess, so it cannot serve as a case's error rate. A case's ``q_value`` is the
smaller of two, each keeping the expected share of ordinary cases among those
it flags at most ``fdr``:

- its own evidence (signals and forest, without the officer's): the
  Benjamini-Hochberg adjustment over the batch;
- its officer's events of a specific pattern, taken as a group (see
  :func:`_officer_route`): of ``O`` events about ``E + 2`` are ordinary; a
  group counts where the officer's test is a discovery and at most a fifth is
  ordinary, and the cases are pooled in order of their cleanest group's share
  (:func:`~integrity_signals.detectors.combine.group_qvalues`). 409
  self-received dossiers where 12 are expected are flagged together; 180
  requests for documents where 67 are expected are not, though the officer is.
  Repeated pairs come in clusters (an applicant's dossiers with the officer)
  and are flagged on their own pair test only.

Two routes at ``fdr`` each could together approach twice that in the worst
case; on simulated provinces the flagged cases are a few per cent ordinary
(``benchmarks/quality.py`` reports the realised share).

Officers and units combine their signal tests and digit tests the same way.
"""

from __future__ import annotations

import numbers
import warnings
import weakref

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .calendar import WorkCalendar
from .detectors.combine import bh_qvalues, cauchy_combine, group_qvalues, surprise
from .detectors.digits import DigitTest
from .detectors.entity import BASELINE_PSEUDO, EntityRateTest, entity_counts
from .detectors.isolation import IsolationDetector
from .detectors.statistical import SIGNALS, TailDetector
from .features import CaseFeatures
from .features.base import Codebook, outside_period
from .reasons import (
    CASE_VALUES,
    REASON_COLUMNS,
    case_reason_values,
    render_case,
    render_entity,
    tidy_case_reasons,
)
from .validation import check_cases

__all__ = ["LEVELS", "RiskModel"]

LEVELS = ("handler_id", "unit_id")
_FAMILIES = ("timing", "fees", "handlers")
_SIGNAL_NAMES = [s.name for s in SIGNALS]


class FlagRateWarning(UserWarning):
    """More cases flagged than an honest province would produce: check the catalog and mapping."""


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), pd.Index(uniques)


class RiskModel(BaseEstimator):
    """Risk flags for cases, officers and units, fitted on a reference period.

    Parameters
    ----------
    calendar : WorkCalendar, optional
        Working days (default: Vietnam). Any country ``holidays`` knows works.
    fdr : float, default 0.05
        False-discovery rate of ``flagged`` (see the module notes: a case's own
        evidence, or its officer's excess of one pattern).
    event_alpha : float, default 0.05
        A case counts as an event of a signal when its tail probability is at most this.
    shrinkage : float, default 20
        Credibility constant of the peer baselines (procedure x unit towards procedure).
    use_isolation_forest : bool, default True
        Add the isolation forest's p-value to the combination.
    n_estimators : int, default 100
        Trees of the isolation forest.
    max_fit_rows : int, default 25_600
        Reference cases the isolation forest is fitted on.
    min_digit_sample : int, default 100
        Paid cases an officer needs for the digit tests.
    max_flag_share : float, default 0.05
        Warn when more than this share of cases is flagged.
    reason_share : float, default 0.05
        Reasons are written for the flagged cases and at least this riskiest share.
    random_state : int or None, default None
    n_jobs : int, default 2
        Threads for the isolation forest's scoring.

    Examples
    --------
    >>> import integrity_signals as isig
    >>> sim = isig.simulate(n_cases=20_000, random_state=0)
    >>> model = isig.RiskModel(random_state=0).fit(sim.cases, catalog=sim.catalog)
    >>> flags = model.score(sim.cases)
    >>> list(flags.columns[:5])
    ['case_id', 'risk_score', 'rank', 'flagged', 'q_value']
    """

    def __init__(
        self,
        *,
        calendar: WorkCalendar | None = None,
        fdr: float = 0.05,
        event_alpha: float = 0.05,
        shrinkage: float = 20.0,
        use_isolation_forest: bool = True,
        n_estimators: int = 100,
        max_fit_rows: int = 25_600,
        min_digit_sample: int = 100,
        max_flag_share: float = 0.05,
        reason_share: float = 0.05,
        random_state: int | None = None,
        n_jobs: int = 2,
    ):
        self.calendar = calendar
        self.fdr = fdr
        self.event_alpha = event_alpha
        self.shrinkage = shrinkage
        self.use_isolation_forest = use_isolation_forest
        self.n_estimators = n_estimators
        self.max_fit_rows = max_fit_rows
        self.min_digit_sample = min_digit_sample
        self.max_flag_share = max_flag_share
        self.reason_share = reason_share
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _validate_params(self) -> None:
        def fail(name, expected):
            raise ValueError(
                f"The {name!r} parameter of RiskModel must be {expected}. Got {getattr(self, name)!r} instead."
            )

        for name in ("fdr", "event_alpha", "max_flag_share", "reason_share"):
            v = getattr(self, name)
            if not (isinstance(v, numbers.Real) and 0 < v < 1):
                fail(name, "a float in the range (0, 1)")
        if not (isinstance(self.shrinkage, numbers.Real) and self.shrinkage >= 0):
            fail("shrinkage", "a float >= 0")
        for name in ("n_estimators", "max_fit_rows", "min_digit_sample", "n_jobs"):
            v = getattr(self, name)
            if not (isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1):
                fail(name, "an int >= 1")
        if not isinstance(self.use_isolation_forest, bool):
            fail("use_isolation_forest", "a bool")
        if self.calendar is not None and not isinstance(self.calendar, WorkCalendar):
            fail("calendar", "a WorkCalendar or None")
        if self.random_state is not None and not isinstance(self.random_state, numbers.Integral):
            fail("random_state", "an int or None")

    # ------------------------------------------------------------------ fit
    def fit(self, data, y=None, *, catalog=None) -> RiskModel:
        """Learn peer baselines, event rates, dispersion and the forest from reference cases.

        Parameters
        ----------
        data : CaseData or DataFrame
            Reference cases (a DataFrame must be fully valid; quarantine first
            with :func:`~integrity_signals.validate_cases`).
        catalog : DataFrame or CatalogData, optional
            Statutory days and posted fees per procedure.
        """
        self._validate_params()
        cases = check_cases(data, context="RiskModel.fit")
        calendar = self.calendar if self.calendar is not None else WorkCalendar()
        self.features_ = CaseFeatures(calendar=calendar, catalog=catalog, shrinkage=self.shrinkage)
        features = self.features_.fit_transform(cases)
        self.procedures_ = Codebook(cases["procedure_id"])
        self.units_ = Codebook(cases["unit_id"])
        self.officers_ = Codebook(cases["handler_id"])
        groups = self._groups(cases)
        self.tails_ = TailDetector(self.event_alpha, self.shrinkage)
        p = self.tails_.pvalues(features)
        self.tails_.fit(p, *groups)
        events, expected = self.tails_.events(p), self.tails_.expected(p, *groups, features)
        self.entity_tests_, self.history_ = {}, {}
        in_person = _in_person(cases)
        for level in LEVELS:
            codes, ids = _codes(cases[level])
            observed, predicted, _ = _entity_stats(codes, len(ids), events, expected, in_person)
            test = EntityRateTest().fit(observed, predicted)
            self.entity_tests_[level] = test
            calibrated = test.calibrate(predicted)
            self.history_[level] = {
                "ids": ids, "observed": observed, "expected": calibrated,
                "p": test.pvalues(observed, calibrated),
            }  # fmt: skip
        fees = (
            cases["fee_charged"].to_numpy(dtype=float, na_value=np.nan)
            if "fee_charged" in cases
            else np.full(len(cases), np.nan)
        )
        self.digits_ = DigitTest(self.min_digit_sample).fit(fees, groups[0], len(self.procedures_))
        self.isolation_ = None
        if self.use_isolation_forest:
            self.isolation_ = IsolationDetector(
                self.n_estimators, self.max_fit_rows, self.random_state, self.n_jobs
            ).fit(features)
        self.coverage_ = self._coverage()
        self.n_reference_ = len(cases)
        self.input_columns_ = list(cases.columns)
        self.feature_names_ = list(features.columns)
        self.catalog_hash_ = _catalog_hash(catalog)
        self.fitted_at_ = pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")
        self._cache = None
        return self

    def _groups(self, cases: pd.DataFrame):
        """Fitted codes of procedure, unit and officer (-1 = unseen in the reference)."""
        return tuple(
            book.codes(*_codes(cases[col]))
            for book, col in (
                (self.procedures_, "procedure_id"),
                (self.units_, "unit_id"),
                (self.officers_, "handler_id"),
            )
        )

    def _history(self, level: str, ids: pd.Index) -> dict[str, np.ndarray]:
        """The reference period's tests of these entities (NaN for entities it did not see)."""
        past = self.history_[level]
        pos = pd.Index(past["ids"]).get_indexer(ids)
        seen = (pos >= 0)[:, None]
        take = np.maximum(pos, 0)
        return {k: np.where(seen, past[k][take], np.nan) for k in ("observed", "expected", "p")}

    def _pooled(self, level, history, codes, n_ids, new, events, expected, in_person) -> dict:
        """Each entity's reference record plus its cases in this batch that are new to it.

        Over-dispersion stays on the ratio scale, so pooling sharpens the test
        only as far as the two periods agree; a change of behaviour still shows
        in the batch's own test, which :func:`_with_history` combines with this one.
        """
        seen = ~np.isnan(history["p"][:, 0]) if history["p"].size else np.zeros(n_ids, bool)
        if not new.any():
            return history | {"label": np.full(n_ids, "reference period: ", dtype=object)}
        test = self.entity_tests_[level]
        o_new, e_new, _ = _entity_stats(
            np.where(new, codes, -1), n_ids, events, expected, in_person
        )
        observed = np.nan_to_num(history["observed"]) + o_new
        predicted = np.nan_to_num(history["expected"]) + test.calibrate(e_new)
        has_new = np.bincount(codes[new & (codes >= 0)], minlength=n_ids) > 0
        label = np.where(
            seen & has_new, "reference period and this batch: ",
            np.where(seen, "reference period: ", "this batch's new dossiers: "),
        ).astype(object)  # fmt: skip
        return {
            "observed": observed, "expected": predicted,
            "p": test.pvalues(observed, predicted), "label": label,
        }  # fmt: skip

    def _coverage(self) -> dict[str, str]:
        """Feature and signal coverage: "ok" or "not applicable: no <column>" (never a silent zero)."""
        cov = dict(self.features_.coverage_)
        for s in SIGNALS:
            cov[f"signal:{s.name}"] = cov.get(s.p_feature, "not applicable: no feature")
        return cov

    def _missing_state(self) -> list[str]:
        """Fitted attributes this version needs that a loaded model lacks (empty when complete)."""
        needed = [
            (self, "history_"), (self, "entity_tests_"),
            (getattr(self, "features_", None), "handlers_"),
        ]  # fmt: skip
        missing = [name for obj, name in needed if obj is None or not hasattr(obj, name)]
        handlers = getattr(getattr(self, "features_", None), "handlers_", None)
        if handlers is not None:
            missing += [f"features_.handlers_.{n}"
                        for n in ("record_", "reference_period_", "fits_", "sector_of_",
                                  "sector_ids_", "su_count_", "suh_count_")
                        if not hasattr(handlers, n)]  # fmt: skip
        return missing

    def _check_fitted(self) -> None:
        if not hasattr(self, "features_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                "This RiskModel instance is not fitted yet. Call 'fit' with reference cases before scoring."
            )

    # ------------------------------------------------------------------ evidence
    def _evidence(self, data) -> dict:
        """Everything score, score_entities and explain need for one batch (cached per frame)."""
        self._check_fitted()
        cases = check_cases(data, context="RiskModel.score")
        cache = getattr(self, "_cache", None)
        if cache is not None and cache[0]() is cases:
            return cache[1]
        features = self.features_.transform(cases)
        groups = self._groups(cases)
        proc = groups[0]
        p = self.tails_.pvalues(features)
        events, expected = self.tails_.events(p), self.tails_.expected(p, *groups, features)
        fees = (
            cases["fee_charged"].to_numpy(dtype=float, na_value=np.nan)
            if "fee_charged" in cases
            else np.full(len(cases), np.nan)
        )
        entities = {}
        in_person = _in_person(cases)
        # cases the reference record cannot contain: only these are pooled with it
        new = outside_period(
            cases["submitted_at"].to_numpy("datetime64[ns]"),
            self.features_.handlers_.reference_period_,  # one reference period for the model
        )
        for level in LEVELS:
            codes, ids = _codes(cases[level])
            observed, predicted, n_cases = _entity_stats(
                codes, len(ids), events, expected, in_person
            )
            predicted = self.entity_tests_[level].calibrate(predicted)
            batch_p = self.entity_tests_[level].pvalues(observed, predicted)
            history = self._pooled(
                level, self._history(level, ids), codes, len(ids), new, events, expected, in_person
            )
            digits = self.digits_.test(codes, fees, proc, len(ids))
            entities[level] = {
                "codes": codes, "ids": ids, "observed": observed, "expected": predicted,
                "n_signal_cases": n_cases, "p": _with_history(batch_p, history["p"]),
                "p_batch": batch_p, "history": history, "digits": digits,
            }  # fmt: skip
        officer = entities["handler_id"]
        specific = np.array([sig.specific for sig in SIGNALS])
        counted = np.where(
            _own_control(), in_person[:, None], True
        )  # the cases the officer test counts
        context = np.where(
            (events == 1) & counted & specific, officer["p"][officer["codes"]], np.nan
        )
        p_if = (
            self.isolation_.pvalues(features)
            if self.isolation_ is not None
            else np.full(len(cases), np.nan)
        )
        combined = cauchy_combine(np.column_stack([p, context, p_if]), _case_weights())
        # error rates: the case's own evidence (Benjamini-Hochberg over the batch), or its
        # officer's excess of the same events (the ordinary share of that officer's events)
        own = cauchy_combine(np.column_stack([p, p_if]))
        q = np.minimum(bh_qvalues(own), _officer_route(officer, events, in_person, self.fdr))
        evidence = {
            "cases": cases, "features": features, "p": p, "events": events, "expected": expected,
            "context": context, "p_if": p_if, "combined": combined, "q": q, "entities": entities,
        }  # fmt: skip
        self._cache = (weakref.ref(cases), evidence)
        return evidence

    # ------------------------------------------------------------------ score
    def score(self, data) -> pd.DataFrame:
        """Risk of every case, riskiest first.

        Returns
        -------
        DataFrame
            ``case_id, risk_score, rank, flagged, q_value, timing_score,
            fees_score, handlers_score, money_at_stake, reasons, handler_id,
            unit_id``. ``risk_score`` is ``-log10`` of the combined p-value;
            ``reasons`` holds up to three sentences (for the flagged cases and the
            riskiest ``reason_share`` of them; :meth:`explain` gives any case's evidence).
        """
        ev = self._evidence(data)
        cases, features, combined = ev["cases"], ev["features"], ev["combined"]
        n = len(cases)
        q = ev["q"]
        flagged = q <= self.fdr
        risk = surprise(combined)
        order = np.lexsort((cases["case_id"].to_numpy(dtype=object), -risk))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(1, n + 1)
        out = pd.DataFrame(
            {
                "case_id": cases["case_id"].to_numpy(),
                "risk_score": risk,
                "rank": rank,
                "flagged": flagged,
                "q_value": q,
            }
        )
        for family in _FAMILIES:
            cols = [j for j, s in enumerate(SIGNALS) if s.family == family]
            sub = np.column_stack([ev["p"][:, cols], ev["context"][:, cols]])
            out[f"{family}_score"] = surprise(cauchy_combine(sub))
        excess = features["fees__excess_vnd"].to_numpy()
        out["money_at_stake"] = np.where(np.isnan(excess), np.nan, np.maximum(excess, 0.0))
        out["reasons"] = self._case_reasons(ev, rank, flagged)
        out["handler_id"] = cases["handler_id"].to_numpy()
        out["unit_id"] = cases["unit_id"].to_numpy()
        share = flagged.mean() if n else 0.0
        if share > self.max_flag_share:
            warnings.warn(
                f"{share:.1%} of cases are flagged (more than max_flag_share={self.max_flag_share:.0%}). "
                "An honest province flags far fewer: check the catalog (statutory days, posted fees) "
                "and the column mapping before reading these flags.",
                FlagRateWarning,
                stacklevel=2,
            )
        return out.iloc[order].reset_index(drop=True)

    def _case_reasons(self, ev: dict, rank: np.ndarray, flagged: np.ndarray) -> np.ndarray:
        """Up to three sentences for the flagged and the riskiest cases; "" elsewhere."""
        n = len(rank)
        chosen = np.flatnonzero(flagged | (rank <= max(1, int(np.ceil(self.reason_share * n)))))
        reasons = np.full(n, "", dtype=object)
        if chosen.size == 0:
            return reasons
        records = tidy_case_reasons(self._reason_records(ev, chosen))
        if records.empty:  # no evidence strong enough to put in words
            return reasons
        top = records.sort_values(["row", "p_value"], kind="stable").groupby("row").head(3)
        joined = top.groupby("row")["text"].agg("; ".join)
        reasons[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy()
        return reasons

    def _reason_records(self, ev: dict, rows: np.ndarray) -> pd.DataFrame:
        """Reason records (row, code, kind, feature, value, baseline, p_value, text) for some cases."""
        p, context, features = ev["p"][rows], ev["context"][rows], ev["features"]
        completed = (
            ev["cases"]["completed_at"].to_numpy()[rows] if "completed_at" in ev["cases"] else None
        )
        officer = ev["entities"]["handler_id"]
        codes = officer["codes"][rows]
        parts = []
        for j, s in enumerate(SIGNALS):
            own = p[:, j] <= self.event_alpha
            if own.any():
                sel = rows[own]
                values = case_reason_values(features, sel, s.name)
                value_col, base_col = CASE_VALUES[s.name]
                parts.append(pd.DataFrame({
                    "row": sel, "code": s.name, "kind": "case", "feature": s.p_feature,
                    "value": features[value_col].to_numpy()[sel], "baseline": features[base_col].to_numpy()[sel],
                    "p_value": p[own, j],
                    "text": render_case(s.name, values, None if completed is None else completed[own]),
                }))  # fmt: skip
            ctx = np.isfinite(context[:, j]) & (context[:, j] <= self.event_alpha)
            if ctx.any():
                o = officer["observed"][codes[ctx], j]
                e = officer["expected"][codes[ctx], j]
                parts.append(pd.DataFrame({
                    "row": rows[ctx], "code": s.name, "kind": "officer", "feature": s.p_feature,
                    "value": o, "baseline": e, "p_value": context[ctx, j],
                    "text": ["officer: " + render_entity(s.name, a, b) for a, b in zip(o, e, strict=True)],
                }))  # fmt: skip
        p_if = ev["p_if"][rows]
        strong = np.isfinite(p_if) & (p_if <= self.event_alpha)
        if strong.any():
            parts.append(pd.DataFrame({
                "row": rows[strong], "code": "isolation", "kind": "case", "feature": "isolation_forest",
                "value": np.nan, "baseline": np.nan, "p_value": p_if[strong],
                "text": render_case("isolation", {}, np.empty(int(strong.sum()))),
            }))  # fmt: skip
        if not parts:
            return pd.DataFrame(columns=["row", *REASON_COLUMNS])
        return pd.concat(parts, ignore_index=True)

    def explain(self, case_id, data=None) -> pd.DataFrame:
        """All evidence about one case, strongest first: code, kind (case or officer), feature,
        value, baseline, p_value, text.

        ``data`` is the batch the case belongs to; by default the batch scored last.
        """
        if data is None:
            cache = getattr(self, "_cache", None)
            if cache is None or cache[0]() is None:
                raise ValueError(
                    "explain(case_id) needs the batch: pass data=..., or score it first."
                )
            ev = cache[1]
        else:
            ev = self._evidence(data)
        hits = np.flatnonzero(ev["cases"]["case_id"].to_numpy(dtype=object) == case_id)
        if hits.size == 0:
            raise KeyError(f"case_id {case_id!r} is not in the scored batch.")
        records = self._reason_records(ev, hits)
        records = records.sort_values("p_value", kind="stable").drop(columns="row")
        return records.reset_index(drop=True)[REASON_COLUMNS]

    # ------------------------------------------------------------------ entities
    def score_entities(self, data, level: str = "handler_id") -> pd.DataFrame:
        """Risk of every officer (``level="handler_id"``) or unit (``"unit_id"``), riskiest first.

        Returns
        -------
        DataFrame
            ``<level>, risk_score, rank, flagged, q_value, n_cases, n_flagged_cases,
            money_at_stake, reasons`` (+ ``unit_id`` for officers), then for every
            signal ``obs_<signal>``, ``exp_<signal>``, and the digit tests.
        """
        if level not in LEVELS:
            raise ValueError(
                f"The 'level' parameter of score_entities must be one of {LEVELS}. Got {level!r} instead."
            )
        ev = self._evidence(data)
        ent = ev["entities"][level]
        ids, codes, p = ent["ids"], ent["codes"], ent["p"]
        digits = ent["digits"]
        digit_p = np.maximum(digits["p_value"], _DIGIT_FLOOR)  # supporting evidence, bounded
        combined = cauchy_combine(np.column_stack([_bounded(p), digit_p]), _entity_weights())
        q = bh_qvalues(combined)
        risk = surprise(combined)
        k = len(ids)
        cases = ev["cases"]
        case_q = ev["q"]
        excess = np.nan_to_num(np.maximum(ev["features"]["fees__excess_vnd"].to_numpy(), 0.0))
        out = pd.DataFrame({level: np.asarray(ids)})
        if level == "handler_id":
            first = np.unique(codes, return_index=True)[1]
            unit = np.empty(k, dtype=object)
            unit[codes[first]] = cases["unit_id"].to_numpy(dtype=object)[first]
            out["unit_id"] = unit
        order = np.lexsort((np.asarray(ids, dtype=object), -risk))
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(1, k + 1)
        out["risk_score"], out["rank"], out["flagged"], out["q_value"] = (
            risk,
            rank,
            q <= self.fdr,
            q,
        )
        out["n_cases"] = np.bincount(codes, minlength=k)
        out["n_flagged_cases"] = np.bincount(codes, (case_q <= self.fdr).astype(float), k).astype(
            np.int64
        )
        out["money_at_stake"] = np.bincount(
            codes, excess * (ev["events"][:, _SIGNAL_NAMES.index("excess_fee")] == 1), k
        )
        out["reasons"] = self._entity_reasons(ent, combined)
        for j, name in enumerate(_SIGNAL_NAMES):
            out[f"obs_{name}"] = ent["observed"][:, j]
            out[f"exp_{name}"] = ent["expected"][:, j]
        for key in ("first_mad", "first_class", "last_two_mad", "last_two_class"):
            out[f"digits_{key}"] = digits[key]
        return out.iloc[order].reset_index(drop=True)

    def _entity_reasons(self, ent: dict, combined: np.ndarray) -> np.ndarray:
        p, obs, exp, digits = ent["p_batch"], ent["observed"], ent["expected"], ent["digits"]
        hist = ent["history"]
        out = np.full(len(p), "", dtype=object)
        notable = np.flatnonzero(combined <= 0.05)
        for i in notable:  # loop over notable entities only (hundreds at most)
            items = [
                (p[i, j], render_entity(s.name, obs[i, j], exp[i, j]))
                for j, s in enumerate(SIGNALS)
                if p[i, j] <= 0.01
            ]
            items += [  # the reference record (pooled with new cases), where it says more than this batch
                (
                    hist["p"][i, j],
                    hist["label"][i]
                    + render_entity(s.name, hist["observed"][i, j], hist["expected"][i, j]),
                )
                for j, s in enumerate(SIGNALS)
                if hist["p"][i, j] <= 0.01 and hist["p"][i, j] < p[i, j]
            ]
            if np.isfinite(digits["p_value"][i]) and digits["p_value"][i] <= 0.01:
                worst = "first" if digits["first_p"][i] <= digits["last_two_p"][i] else "last_two"
                label = "first digits" if worst == "first" else "last two digits"
                note = f"{label} of collected amounts {digits[f'{worst}_class'][i]} with the case mix (MAD {digits[f'{worst}_mad'][i]:.4f})"
                items.append((digits["p_value"][i], note))
            items.sort(key=lambda t: t[0])
            out[i] = "; ".join(text for _, text in items[:3])
        return out

    # ------------------------------------------------------------------ persistence
    def save(self, path) -> None:
        """Write the fitted model to one joblib file with a metadata envelope and a SHA-256.

        Joblib files run code when loaded: load only files from a trusted source.
        """
        from .persistence import save_model

        self._check_fitted()
        save_model(self, path)

    @classmethod
    def load(cls, path) -> RiskModel:
        """Read a model written by :meth:`save`, verifying its checksum and library versions.

        Raises :class:`~integrity_signals.ModelFileError` on a missing, truncated,
        tampered or incompatible file. Only load files from a trusted source.
        """
        from .persistence import load_model

        return load_model(path, cls)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_cache", None)  # a view of the last scored batch, not fitted state
        return state


#: Weight of plain speed signals in officer and unit scores (legitimate speed differences are large).
_SPEED_WEIGHT = 0.1


#: Plain speed can count for at most this much against an entity (p floored here).
_SPEED_FLOOR = 1e-3
#: Digit tests are supporting evidence: alone they cannot flag an officer.
_DIGIT_FLOOR = 1e-2


def _bounded(p: np.ndarray) -> np.ndarray:
    """Entity p-values with plain-speed signals floored: slow or fast alone never outranks a scheme."""
    specific = np.array([s.specific for s in SIGNALS])
    return np.where(specific, p, np.maximum(p, _SPEED_FLOOR))


def _entity_weights() -> np.ndarray:
    """Signals, then the digit tests."""
    return np.array([1.0 if s.specific else _SPEED_WEIGHT for s in SIGNALS] + [1.0])


def _case_weights() -> np.ndarray:
    """Own p-values, officer context (specific signals only), the isolation forest."""
    return np.ones(2 * len(SIGNALS) + 1)


#: Pseudo-count of the officer's own control: other-channel events are shrunk towards "as expected".
_OWN_CONTROL = 10.0


def _in_person(cases: pd.DataFrame) -> np.ndarray:
    """Dossiers handled at the counter; without a channel column every dossier counts."""
    if "channel" not in cases.columns or cases["channel"].isna().all():
        return np.ones(len(cases), dtype=bool)
    return (cases["channel"] == "in_person").to_numpy(dtype=bool, na_value=False)


def _entity_stats(codes, n_ids, events, expected, in_person):
    """Observed and expected events per entity and signal, with the entity's own
    other-channel dossiers as its control where the signal asks for it.

    Petty corruption happens at the counter. An officer who is strict, slow or
    works late on every channel shows the same excess on online dossiers; one who
    harasses or overcharges at the counter does not. For ``own_control`` signals
    the in-person events are counted and their expected count is multiplied by the
    entity's own other-channel ratio ``(O + k) / (E + k)`` (``k`` = 10
    pseudo-events, floored at 1), so habits visible on every channel are
    explained away. Other signals count every channel. Without other channels
    the ratio is 1: a plain rate test.
    """
    control = _own_control()
    in_p = in_person[:, None]
    use = np.where(control, in_p, True)
    o, e, n = entity_counts(
        codes, np.where(use, events, np.nan), np.where(use, expected, np.nan), n_ids
    )
    o_op, e_op, _ = entity_counts(
        codes, np.where(in_p, np.nan, events), np.where(in_p, np.nan, expected), n_ids
    )
    own = np.maximum((o_op + _OWN_CONTROL) / (e_op + _OWN_CONTROL), 1.0)
    return o, np.where(control, e * own, e), n


#: An officer's events of a pattern are flagged as a group only where at most this share of
#: them is expected to be ordinary (Efron's usual local false-discovery threshold): 180
#: requests for documents where 67 are expected make the officer the finding, not each request.
MAX_GROUP_ORDINARY_SHARE = 0.2


def _officer_route(
    officer: dict, events: np.ndarray, in_person: np.ndarray, fdr: float
) -> np.ndarray:
    """Per case: its q-value as one of an officer's events of a pattern (1 where none).

    A group is one officer's events of one specific signal that comes one event
    per dossier (the events the officer's test counts). Of its ``O`` events,
    ``E + 2`` are expected ordinary (the case mix's prediction plus the test's
    two pseudo-events for an uncertain baseline), and all of them as far as the
    officer's excess may itself be a false discovery:
    ``E + 2 + q_officer (O - E - 2)``, with ``q_officer`` the Benjamini-Hochberg
    q-value of the officer's test among the officers' tests of these signals.
    Groups count when the officer's test is a discovery (``q_officer <= fdr``) and
    at most :data:`MAX_GROUP_ORDINARY_SHARE` of the group is expected ordinary:
    409 self-receipts where 12 are expected are flagged together (about 3 %
    ordinary), 180 requests for documents where 67 are expected are not (38 % or more).
    Each case takes the share of its cleanest group, and the cases are pooled in
    order of that share (:func:`~integrity_signals.detectors.combine.group_qvalues`,
    each case counted once).
    """
    # events that come one per dossier; an applicant's repeated pairs come all at once (its
    # dossiers with the officer), and are flagged on their own pair test
    specific = np.array([s.specific and "handlers__pair_p" not in s.p_features for s in SIGNALS])
    observed, expected = officer["observed"], officer["expected"]
    officer_p = np.where(specific, officer["p"], np.nan)
    officer_q = np.nan_to_num(bh_qvalues(officer_p.ravel()).reshape(officer_p.shape), nan=1.0)
    baseline = expected + BASELINE_PSEUDO
    ordinary = baseline + officer_q * np.maximum(observed - baseline, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(observed > 0, np.minimum(ordinary / observed, 1.0), 1.0)
    eligible = specific & (officer_q <= fdr) & (share <= MAX_GROUP_ORDINARY_SHARE)
    codes = officer["codes"]
    known = codes >= 0
    best = np.ones(len(codes))  # each case's cleanest group
    for j in np.flatnonzero(eligible.any(axis=0)):  # one signal at a time: memory stays O(cases)
        member = (events[:, j] == 1) & known & (in_person if SIGNALS[j].own_control else True)
        group = np.where(eligible[:, j], share[:, j], 1.0)
        np.minimum(best, np.where(member, group[np.maximum(codes, 0)], 1.0), out=best)
    out = np.ones(len(codes))
    grouped = best < 1.0
    # rounded: groups of equal shares tie exactly, whatever the order of the sums behind them
    out[grouped] = group_qvalues(np.ones(int(grouped.sum())), np.round(best[grouped], 12))
    return out


def _own_control() -> np.ndarray:
    return np.array([s.own_control for s in SIGNALS])


def _with_history(batch: np.ndarray, history: np.ndarray) -> np.ndarray:
    """Per entity and signal, the batch's test combined with the pooled record's.

    An officer's record in the reference period carries into later batches
    (a month scored with last year's model knows last year's 56 self-received
    dossiers): the record pooled with the batch's new cases is tested, and
    Cauchy-combined with the batch's own test. Identical p-values combine to
    themselves, so scoring the reference period itself counts nothing twice.
    """
    pairs = np.stack([batch, history], axis=-1).reshape(-1, 2)
    return cauchy_combine(pairs).reshape(batch.shape)


def _catalog_hash(catalog) -> str | None:
    if catalog is None:
        return None
    import hashlib

    frame = getattr(catalog, "catalog", catalog)
    return hashlib.sha256(
        pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    ).hexdigest()
