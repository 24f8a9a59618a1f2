"""RiskModel: calibrated, explained risk of cases, officers and units, fitted on a reference period.

How a batch is scored (details in :mod:`~integrity_signals.scoring`):

1. **Signals** (:mod:`~integrity_signals.signals`): each case's calibrated tail
   probability within its peer group, per signal; a case is an event of a
   signal when it is in the tail.
2. **Entities.** Each officer's and unit's events of each signal against what
   its case mix predicts, for speed, requests, fees and hours under the
   entity's own shifted baseline (a habit on all its dossiers is not a scheme;
   a share of dossiers jumping to the extreme is), for repeated pairs in
   units of applicant clusters; a later batch is also judged together with
   the reference period's record.
3. **Ranking**: ``risk_score`` is the estimated probability that a dossier is
   one of the excess events, from its own evidence and from its officer's
   excess of the patterns it belongs to (:mod:`~integrity_signals.scoring.ranking`).
4. **Flags**: ``q_value <= fdr``, the smaller of the own evidence's
   Benjamini-Hochberg q-value and the officer route's group q-value
   (:mod:`~integrity_signals.scoring.officers`); each route keeps the expected
   share of ordinary cases among its flags at most ``fdr``.

Officers and units combine their signal tests and digit tests with the Cauchy
combination, calibrated on its exact null.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .calendar import WorkCalendar
from .checks import check_bool, check_int, check_is_fitted, check_real, fail
from .detectors import DigitTest, IsolationDetector
from .features import CaseFeatures
from .features.base import Codebook
from .formatting import check_lang
from .pseudonyms import key_source, private_view
from .reasons import REASON_COLUMNS, case_reason_records
from .resolution import data_coverage
from .scoring import LEVELS, build_evidence
from .scoring.batch import LastBatch
from .scoring.canonical import canonical_cases
from .scoring.compatibility import (
    batch_profile,
    catalog_hash,
    differences,
    rate_differences,
    refusal,
    warn_forced,
    with_mismatch,
)
from .scoring.entities import codes_of
from .scoring.overlap import CaseIndex
from .scoring.reference import fit_reference
from .scoring.tables import case_table, entity_table
from .signals import signal_coverage
from .validation import check_cases

__all__ = ["LEVELS", "FlagRateWarning", "RiskModel"]


class FlagRateWarning(UserWarning):
    """More cases flagged than an honest province would produce: check the catalog and mapping."""


class RiskModel(BaseEstimator):
    """Risk flags for cases, officers and units, fitted on a reference period.

    Parameters
    ----------
    calendar : WorkCalendar, optional
        Working days (default: Vietnam). Any country ``holidays`` knows works.
    fdr : float, default 0.05
        False-discovery rate of ``flagged`` (per route: a case's own evidence, or
        its officer's excess of one pattern).
    event_alpha : float, default 0.05
        A case counts as an event of a tail signal when its p-value is at most this.
    shrinkage : float, default 20
        Credibility constant of the peer baselines (procedure x unit towards procedure).
    use_isolation_forest : bool, default True
        Add the isolation forest's p-value to each case's own evidence.
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
    pseudonymize : bool, "env:NAME" or "file:PATH", default False
        Keep applicant ids (and case ids) in the model only as keyed hashes,
        HMAC-SHA256 with a secret read from the environment variable ``NAME``
        (``True``: ``INTEGRITY_SIGNALS_KEY``) or the file ``PATH``; the secret is
        never stored. Scoring then needs the same secret
        (:class:`~integrity_signals.PseudonymKeyError` otherwise). See
        :mod:`~integrity_signals.pseudonyms`.

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
        self, *, calendar: WorkCalendar | None = None, fdr: float = 0.05,
        event_alpha: float = 0.05, shrinkage: float = 20.0, use_isolation_forest: bool = True,
        n_estimators: int = 100, max_fit_rows: int = 25_600, min_digit_sample: int = 100,
        max_flag_share: float = 0.05, reason_share: float = 0.05,
        random_state: int | None = None, n_jobs: int = 2, pseudonymize=False,
    ):  # fmt: skip
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
        self.pseudonymize = pseudonymize

    def _check_params(self) -> None:
        me = "RiskModel"
        for name in ("fdr", "event_alpha", "max_flag_share", "reason_share"):
            check_real(me, name, getattr(self, name), low=0, high=1)
        check_real(me, "shrinkage", self.shrinkage, low=0, closed="left")
        for name in ("n_estimators", "max_fit_rows", "min_digit_sample", "n_jobs"):
            check_int(me, name, getattr(self, name))
        check_bool(me, "use_isolation_forest", self.use_isolation_forest)
        check_int(me, "random_state", self.random_state, low=0, optional=True)
        if self.calendar is not None and not isinstance(self.calendar, WorkCalendar):
            raise fail(me, "calendar", "a WorkCalendar or None", self.calendar)
        key_source(self.pseudonymize)

    # ------------------------------------------------------------------ fit
    def fit(self, data, y=None, *, catalog=None) -> RiskModel:
        """Learn peer baselines, event rates, dispersion and the forest from reference cases.

        Parameters
        ----------
        data : CaseData or DataFrame
            Reference cases (a DataFrame must be fully valid; quarantine first
            with :func:`~integrity_signals.validate_cases`).
        catalog : DataFrame or CatalogData, optional
            Statutory days, posted fees and sectors per procedure.
        """
        self._check_params()
        cases = canonical_cases(check_cases(data, context="RiskModel.fit"))
        private = self._private(cases, fitting=True)  # pseudonymised ids, when asked for
        calendar = self.calendar if self.calendar is not None else WorkCalendar()
        self.features_ = CaseFeatures(calendar=calendar, catalog=catalog, shrinkage=self.shrinkage)
        features = self.features_.fit_transform(private)
        self.reference_cases_ = CaseIndex(private)  # the overlap guard's record of dossiers
        self.procedures_, self.units_, self.officers_ = (
            Codebook(cases[c]) for c in ("procedure_id", "unit_id", "handler_id")
        )
        groups = self._groups(cases)
        self.tails_, self.entity_tests_, self.records_, tails = fit_reference(
            features, cases, groups, event_alpha=self.event_alpha, shrinkage=self.shrinkage,
            fdr=self.fdr,
        )  # fmt: skip
        fees = cases["fee_charged"] if "fee_charged" in cases else pd.Series(np.nan, cases.index)
        self.digits_ = DigitTest(self.min_digit_sample).fit(
            fees.to_numpy(dtype=float, na_value=np.nan), groups[0], len(self.procedures_)
        )
        self.isolation_ = None
        if self.use_isolation_forest:
            self.isolation_ = IsolationDetector(
                self.n_estimators, self.max_fit_rows, self.random_state, self.n_jobs
            ).fit(features)
        self.coverage_ = signal_coverage(self.features_.coverage_) | data_coverage(cases)
        self.profile_ = batch_profile(cases)
        self.n_reference_ = len(cases)
        self.input_columns_ = list(cases.columns)
        self.feature_names_ = list(features.columns)
        self.catalog_hash_ = catalog_hash(catalog)
        self.fitted_at_ = pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")
        # scoring this very batch next reuses its features and signals
        self._cache = LastBatch.of(data, cases, seed={"features": features, "tails": tails})
        return self

    def _groups(self, cases: pd.DataFrame):
        """Fitted codes of procedure, unit and officer (-1 = unseen in the reference)."""
        return tuple(
            book.codes(*codes_of(cases[col]))
            for book, col in (
                (self.procedures_, "procedure_id"),
                (self.units_, "unit_id"),
                (self.officers_, "handler_id"),
            )
        )

    def _private(self, cases: pd.DataFrame, *, fitting: bool = False) -> pd.DataFrame:
        """The cases as the model sees them (see :func:`~integrity_signals.pseudonyms.private_view`)."""
        return private_view(self, cases, fitting=fitting)

    def _evidence(self, data):
        """The batch's evidence (reused for the object scored last: see
        :mod:`~integrity_signals.scoring.batch`), however it differs from the fit."""
        return self._checked(data, force=True, quiet=True)[0]

    def _checked(self, data, force: bool = False, quiet: bool = False):
        """The batch's evidence and how the batch differs from the fit
        (:mod:`~integrity_signals.scoring.compatibility`): refused unless ``force``."""
        check_is_fitted(self, "features_", msg=_NOT_FITTED)
        last = getattr(self, "_cache", None)
        known = last is not None and last.holds(data)
        if known and last.evidence is not None:
            evidence, found = last.evidence, last.found
        else:
            cases = (
                last.cases
                if known
                else canonical_cases(check_cases(data, context="RiskModel.score"))
            )
            seed = last.seed if known else {}
            found = differences(self, cases, self._groups(cases))
            if found and not force:  # refused before the work
                raise refusal(found)
            if last is not None:  # the last batch's evidence goes before this one's is built
                last.clear()
            self._cache = None
            evidence = build_evidence(self, cases, **seed)
            found = found + rate_differences(self, evidence.officers)
            self._cache = LastBatch.of(data, cases, evidence=evidence, found=found)
        if found and not force:
            raise refusal(found)
        if found and not quiet:
            warn_forced(found, stacklevel=4)
        return evidence, found

    # ------------------------------------------------------------------ cases
    def score(self, data, *, lang: str = "en", force: bool = False) -> pd.DataFrame:
        """Risk of every case, riskiest first.

        Returns
        -------
        DataFrame
            ``case_id, risk_score, rank, flagged, q_value, route, evidence,
            timing_score, fees_score, handlers_score, money_at_stake, reasons,
            handler_id, unit_id``. ``risk_score`` is the estimated probability that
            the case is one of the excess events (see
            :mod:`~integrity_signals.scoring.ranking`); ``route`` says how a flagged
            case was flagged: on its ``"own"`` evidence or as one of its
            ``"officer"``'s events of a pattern;
            ``evidence`` is ``-log10`` of the combined p-value of all its
            evidence (the order among equal risks); ``reasons`` holds up to three
            sentences in ``lang`` ("en" or "vi") for the flagged cases and the
            riskiest ``reason_share`` (:meth:`explain` gives any case's evidence).

        Raises
        ------
        IncompatibleBatchError
            When the batch is unlike the data the model was fitted on (see
            :mod:`~integrity_signals.scoring.compatibility`). With ``force=True``
            it is scored anyway, and a ``model_mismatch`` column says how it differs.
        """
        lang = check_lang(lang, "score")
        ev, found = self._checked(data, force)
        out = case_table(
            ev, fdr=self.fdr, reason_share=self.reason_share, event_alpha=self.event_alpha,
            lang=lang,
        )  # fmt: skip
        flagged = out["flagged"].to_numpy()
        n = len(out)
        share = flagged.mean() if n else 0.0
        if share > self.max_flag_share:
            warnings.warn(
                f"{share:.1%} of cases are flagged (more than max_flag_share={self.max_flag_share:.0%}). "
                "An honest province flags far fewer: check the catalog (statutory days, posted fees) "
                "and the column mapping before reading these flags.",
                FlagRateWarning,
                stacklevel=2,
            )
        return with_mismatch(out, found, lang)

    def explain(self, case_id, data=None, *, lang: str = "en") -> pd.DataFrame:
        """All the evidence about one case, its own first (strongest first), then its officer's:
        code, kind ("case" or "officer"), feature, value, baseline, p_value, text.

        ``data`` is the batch the case belongs to; by default the batch scored last.
        """
        lang = check_lang(lang, "explain")
        if data is None:
            ev = getattr(getattr(self, "_cache", None), "evidence", None)
            if ev is None:
                raise ValueError(
                    "explain(case_id) needs the batch: pass data=..., or score it first."
                )
        else:
            ev = self._evidence(data)
        hits = np.flatnonzero(ev.cases["case_id"].to_numpy(dtype=object) == case_id)
        if hits.size == 0:
            raise KeyError(f"case_id {case_id!r} is not in the scored batch.")
        records = case_reason_records(ev, hits, self.event_alpha, lang, everything=True)
        records = records.assign(_officer=records["kind"] == "officer")
        records = records.sort_values(["_officer", "p_value"], kind="stable")
        return records.reset_index(drop=True)[REASON_COLUMNS]

    # ------------------------------------------------------------------ entities
    def score_entities(
        self, data, level: str = "handler_id", *, lang: str = "en", force: bool = False
    ) -> pd.DataFrame:
        """Risk of every officer (``level="handler_id"``) or unit (``"unit_id"``), riskiest first.

        Returns
        -------
        DataFrame
            ``<level>, risk_score, rank, flagged, q_value, n_cases, n_flagged_cases,
            money_at_stake, reasons`` (+ ``unit_id`` for officers), then for every
            signal ``obs_<signal>``, ``exp_<signal>`` (under the entity's own
            baseline) and ``shift_<signal>`` (the entity's habit, probit units), and
            the digit tests. ``force`` as in :meth:`score`.
        """
        if level not in LEVELS:
            raise fail("score_entities", "level", f"one of {LEVELS}", level)
        lang = check_lang(lang, "score_entities")
        ev, found = self._checked(data, force)
        return with_mismatch(entity_table(ev, level, fdr=self.fdr, lang=lang), found, lang)

    # ------------------------------------------------------------------ persistence
    def save(self, path) -> None:
        """Write the fitted model to one joblib file with a metadata envelope and a SHA-256.

        Joblib files run code when loaded: load only files from a trusted source.
        """
        from .persistence import save_model

        check_is_fitted(self, "features_", msg=_NOT_FITTED)
        save_model(self, path)

    @classmethod
    def load(cls, path, *, sha256: str | None = None) -> RiskModel:
        """Read a model written by :meth:`save`, verifying its checksum and library versions.

        ``sha256``: the file's expected SHA-256 (``integrity-signals model-info``,
        ``sha256sum``), checked before anything is unpickled: pin the file you trust.
        Raises :class:`~integrity_signals.ModelFileError` on a missing, truncated,
        tampered, incompatible or (with ``sha256``) other file. Only load files from a
        trusted source: a joblib file can run code when loaded.
        """
        from .persistence import load_model

        return load_model(path, cls, sha256=sha256)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_cache", None)  # a view of the last scored batch, not fitted state
        return state


_NOT_FITTED = (
    "This %(name)s instance is not fitted yet. Call 'fit' with reference cases before scoring."
)
