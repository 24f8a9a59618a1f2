"""``simulate``: a province of dossiers with known corruption, for benchmarks and demos."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..calendar import WorkCalendar
from ..schema import CASE_SCHEMA, CHANNELS
from .background import IN_PERSON, draw_filings, handle_filings
from .params import SCHEMES, resolve_settings
from .province import Province, build_province
from .schemes import bring_dossiers, place_officers, tamper_handling
from .timing import OFFICE_CLOSE, OFFICE_HOURS, stamp_completions

__all__ = ["Simulation", "simulate"]

SCHEME_LABELS = np.array(["none", *SCHEMES], dtype=object)


@dataclass
class Simulation:
    """A simulated province and its ground truth.

    Attributes
    ----------
    cases : pandas.DataFrame
        One row per dossier in the canonical schema, every optional column
        filled, with the dtypes :func:`~integrity_signals.validate_cases`
        produces; sorted by ``submitted_at``.
    catalog : pandas.DataFrame
        The posted procedure catalog (``procedure_id``, ``statutory_days``,
        ``fee_official``, ``sector``, ``name``, ``valid_from``): one row per
        procedure and fee schedule; ``fee_official`` is NaN for land fees
        that depend on the property value.
    truth : pandas.DataFrame
        ``case_id``, ``is_corrupt`` and ``scheme`` (a name from
        :data:`~integrity_signals.simulation.SCHEMES` or ``"none"``), in the
        row order of ``cases``.
    entity_truth : pandas.DataFrame
        One row per handling officer: ``handler_id``, ``unit_id``, ``corrupt``
        and ``scheme``.
    params : dict
        Every setting used, JSON-serialisable (``seed`` repeats the run).
    """

    cases: pd.DataFrame
    catalog: pd.DataFrame
    truth: pd.DataFrame
    entity_truth: pd.DataFrame
    params: dict

    def __repr__(self) -> str:
        corrupt = int(self.truth["is_corrupt"].sum())
        return (
            f"Simulation({len(self.cases):,} cases, {self.params['n_units']} units, "
            f"{len(self.entity_truth):,} officers, {corrupt:,} corrupt cases "
            f"({corrupt / max(len(self.cases), 1):.1%}))"
        )


def simulate(
    n_cases: int = 50_000,
    *,
    n_units: int | None = None,
    months: int = 12,
    start="2025-01-01",
    corruption: float = 1.0,
    schemes: dict | None = None,
    random_state=None,
    n_procedures: int | None = None,
    extract_at=None,
    officers_per_scheme: int | None = None,
) -> Simulation:
    """Simulate a province's dossiers, with honest confounders and labelled corruption schemes.

    Parameters
    ----------
    n_cases : int, default 50_000
        Dossiers submitted over the period.
    n_units : int, optional
        Communes / wards. Default: one per ~4,000 dossiers a year.
    months : int, default 12
        Length of the submission period, from ``start``.
    start : date-like, default "2025-01-01"
        First day of the period.
    corruption : float, default 1.0
        Multiplier of every scheme's default intensity; 0 gives an honest
        province (no corrupt officer, no labels), to measure false flags.
    schemes : dict, optional
        ``{scheme name: intensity or False}`` to switch single schemes off or
        scale them (multiplied by ``corruption``). Names: "broker_fast_track",
        "harassment", "overcharging", "waiver_favour", "off_book",
        "receiver_is_processor", "speed_money".
    random_state : int, numpy.random.Generator or None
        Seed of the single random generator behind every draw: the same
        arguments and seed give identical frames. None draws a fresh seed,
        recorded in ``params["seed"]``.
    n_procedures : int, optional
        Procedures in the catalog (at least 7, one per sector). Default
        ``n_cases // 200`` within [40, 300].
    extract_at : date-like, optional
        When the extract was taken (on or after the period's end, the default):
        dossiers not completed by then are pending.
    officers_per_scheme : int, optional
        Corrupt officers running each active scheme. Default: one per 70
        handling officers, at least one; at most one handling officer in
        eight is corrupt (a small province runs only some schemes).

    Returns
    -------
    Simulation
        ``.cases``, ``.catalog``, ``.truth``, ``.entity_truth``, ``.params``.

    See Also
    --------
    write_simulation : write the frames to CSV or Parquet.

    Notes
    -----
    ``docs/simulation.md`` describes each confounder and scheme, and what the
    benchmark does not cover.

    Examples
    --------
    >>> import integrity_signals as isig
    >>> from integrity_signals.simulation import simulate
    >>> sim = simulate(5_000, random_state=0)
    >>> len(sim.cases), isig.validate_cases(sim.cases).n_rejected
    (5000, 0)
    >>> sim.truth["scheme"].value_counts().index[0]
    'none'
    >>> honest = simulate(5_000, corruption=0, random_state=0)
    >>> int(honest.truth["is_corrupt"].sum()), bool(honest.entity_truth["corrupt"].any())
    (0, False)
    """
    settings, rng = resolve_settings(
        n_cases,
        n_units,
        months,
        start,
        corruption,
        schemes,
        random_state,
        n_procedures,
        extract_at,
        officers_per_scheme,
    )
    cal = WorkCalendar()
    prov = build_province(settings, rng)
    c = draw_filings(settings, prov, cal, rng)
    plan = place_officers(settings, prov, c, rng)
    bring_dossiers(c, settings, prov, plan, rng)
    handle_filings(c, settings, prov, rng)
    tamper_handling(c, settings, prov, plan, rng)

    completed = stamp_completions(
        c["submitted"],
        c["duration"],
        overtime=np.where(c["load"] > 1.15, 0.06, 0.005),
        saturday=prov.unit_saturday[c["unit"]] & (c["channel"] == IN_PERSON),
        off_book=c["off_book"],
        weekend_ok=prov.proc_days[c["proc"]] >= 5,  # a weekend is not worth it for a 1-day term
        cal=cal,
        rng=rng,
    )
    c["pending"] = completed > settings.extract_at
    completed[c["pending"]] = np.datetime64("NaT", "ns")
    c["completed"] = completed
    c["scheme"][c["pending"] & c["off_book"]] = 0  # not done off the books yet: no trace, no label
    c["due"] = cal.add_working_days(c["submitted"], prov.proc_days[c["proc"]]) + np.timedelta64(
        OFFICE_CLOSE, "s"
    )
    order = np.argsort(c["submitted"], kind="stable")
    c = {key: c[key][order] for key in _OUTPUT_ARRAYS}
    ids = _Ids(prov, c, rng)
    cases = _case_frame(c, ids)
    truth = pd.DataFrame(
        {
            "case_id": cases["case_id"],
            "is_corrupt": c["scheme"] > 0,
            "scheme": pa.array(SCHEME_LABELS[c["scheme"]], pa.string()).to_pandas(),
        }
    )
    entity_truth = _entity_truth(prov, plan.officer_scheme, c["handler"], ids)
    params = settings.params() | {
        "n_units": prov.n_units,
        "n_procedures": prov.n_procedures,
        "n_handlers": int(entity_truth.shape[0]),
        "n_receivers": int((prov.off_desk < 0).sum()),
        "n_applicants": int(ids.n_applicants),
        "calendar": {"country": "VN", "office_hours": list(OFFICE_HOURS)},
        "fee_change": None if prov.fee_change is None else str(prov.fee_change),
        "corrupt_officers": {
            name: [ids.officer_list[o] for o in plan.officers[name]] for name in SCHEMES
        },
        "prevalence": {
            name: float(np.mean(c["scheme"] == i + 1)) for i, name in enumerate(SCHEMES)
        },
    }
    return Simulation(cases, prov.catalog(settings.start), truth, entity_truth, params)


_OUTPUT_ARRAYS = (
    "unit",
    "proc",
    "handler",
    "receiver",
    "applicant",
    "submitted",
    "due",
    "completed",
    "pending",
    "fee_charged",
    "fee_official",
    "channel",
    "supplements",
    "scheme",
)


def _case_frame(c: dict, ids: _Ids) -> pd.DataFrame:
    """The cases in the canonical schema, with the dtypes ``validate_cases`` gives."""
    return pd.DataFrame(
        {
            "case_id": ids.cases,
            "procedure_id": ids.take(ids.procedures, c["proc"]),
            "unit_id": ids.take(ids.units, c["unit"]),
            "handler_id": ids.take(ids.officers, c["handler"]),
            "submitted_at": c["submitted"],
            "due_at": c["due"],
            "completed_at": c["completed"],
            "applicant_id": ids.applicants,
            "receiver_id": ids.take(ids.officers, c["receiver"]),
            "fee_charged": c["fee_charged"].astype(np.float64),
            "fee_official": c["fee_official"].astype(np.float64),
            "channel": pd.Categorical.from_codes(c["channel"], categories=list(CHANNELS)),
            "supplement_requests": pd.array(c["supplements"], dtype="Int64"),
            "status": pa.array(np.where(c["pending"], "pending", "returned")).to_pandas(),
        }
    )[CASE_SCHEMA.names]


class _Ids:
    """String ids, made once per distinct entity and spread by integer codes."""

    def __init__(self, prov: Province, c: dict, rng: np.random.Generator):
        width = max(3, len(str(prov.n_units)))
        unit_list = [f"U{u + 1:0{width}d}" for u in range(prov.n_units)]
        self.units = pa.array(unit_list, pa.string())
        self.officer_list = [
            f"{unit_list[u]}-CB{k:02d}" for u, k in zip(prov.off_unit, prov.off_number, strict=True)
        ]
        self.officers = pa.array(self.officer_list, pa.string())
        width = max(4, len(str(prov.n_procedures)))
        self.procedures = pa.array(
            [f"TT{p + 1:0{width}d}" for p in range(prov.n_procedures)], pa.string()
        )
        n = c["unit"].size
        self.cases = _numbered("HS", np.arange(1, n + 1), max(7, len(str(n))))
        # applicants: random numbers, so that nothing in an id tells a broker from a citizen
        used, code = np.unique(c["applicant"], return_inverse=True)
        self.n_applicants = used.size
        number = rng.permutation(used.size) + 1
        self.applicants = _numbered("CD", number[code], max(7, len(str(used.size))))

    @staticmethod
    def take(table: pa.Array, codes: np.ndarray) -> pd.Series:
        return table.take(pa.array(codes)).to_pandas()


def _numbered(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "").to_pandas()


def _entity_truth(prov: Province, officer_scheme: np.ndarray, handler: np.ndarray, ids: _Ids):
    active = np.flatnonzero(np.bincount(handler, minlength=prov.n_handlers)[: prov.n_handlers])
    frame = pd.DataFrame(
        {
            "handler_id": ids.take(ids.officers, active),
            "unit_id": ids.take(ids.units, prov.off_unit[active]),
            "corrupt": officer_scheme[active] > 0,
            "scheme": pa.array(SCHEME_LABELS[officer_scheme[active]], pa.string()).to_pandas(),
        }
    )
    return frame.sort_values("handler_id", ignore_index=True)
