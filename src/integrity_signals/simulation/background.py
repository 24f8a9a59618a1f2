"""The honest background: who files what, where, when, with whom, and how it is handled.

Cases live as a dict of equal-length numpy arrays of integer codes and
numbers (``CaseArrays``, plus a few bookkeeping entries such as the citizens'
exemption flags); ids become strings only when the frames are built.
Two passes: :func:`draw_filings` (what arrives and who gets it) and
:func:`handle_filings` (how long it takes, what is charged, what is asked),
so that schemes that steer dossiers to an officer act in between.
"""

from __future__ import annotations

import numpy as np

from ..calendar import WorkCalendar
from .params import Settings
from .province import N_DESKS, N_SECTORS, SECTOR_DESK, SECTOR_SPECIALTY, SECTORS, VALUE, Province
from .province import value_based_fee as _value_based_fee
from .sampling import choose_in_groups
from .timing import draw_submissions

__all__ = [
    "BROKER",
    "CITIZEN",
    "FRIEND",
    "HEAVY",
    "IN_PERSON",
    "ONLINE",
    "POSTAL",
    "CaseArrays",
    "draw_filings",
    "handle_filings",
]

CaseArrays = dict[str, np.ndarray]

#: Channel codes, in the order of the canonical categories.
ONLINE, IN_PERSON, POSTAL = 0, 1, 2
#: Applicant kinds (never written out: brokers and friends look like anybody else).
CITIZEN, HEAVY, BROKER, FRIEND = 0, 1, 2, 3

EXEMPT_SHARE = 0.03  # policy beneficiaries, exempt from fees
REPEAT_POOL = 2.5  # citizens per citizen dossier in the pool: most file once
POSTAL_SHARE = 0.02
SUPPLEMENT_CHANNEL = np.array([1.5, 1.0, 1.3])  # incomplete online uploads need more requests
MEDIAN_RATIO = 0.40  # a dossier's typical duration as a share of its statutory term
COPY_SHARE = 0.06  # dossiers that also pay for extra copies or extracts


def draw_filings(
    settings: Settings, prov: Province, cal: WorkCalendar, rng: np.random.Generator
) -> CaseArrays:
    """Units, procedures, submission times, applicants, channels, posted fees and officers."""
    n = settings.n_cases
    unit = np.repeat(np.arange(prov.n_units), rng.multinomial(n, prov.unit_weight))
    n_proc = prov.n_procedures
    weight = prov.proc_pop[None, :] * prov.unit_mix[:, prov.proc_sector]
    item = choose_in_groups(np.repeat(np.arange(prov.n_units), n_proc), weight.ravel(), unit, rng)
    proc = item % n_proc
    sector = prov.proc_sector[proc]
    submitted = draw_submissions(settings.start, settings.end, n, cal, rng)
    c: CaseArrays = {"unit": unit, "proc": proc, "sector": sector, "submitted": submitted}
    _applicants(c, settings, prov, rng)
    _channels(c, settings, rng)
    _posted_fees(c, prov, rng)
    _assign(c, prov, rng)
    c["scheme"] = np.zeros(n, dtype=np.int8)
    return c


def _applicants(c: CaseArrays, settings: Settings, prov: Province, rng) -> None:
    """Heavy filers file in their own unit and specialty; everyone else is a local citizen."""
    n = settings.n_cases
    unit, sector = c["unit"], c["sector"]
    heavy_share = np.array([s.heavy for s in SECTORS])[sector]
    spec = SECTOR_SPECIALTY[sector]
    wants = (rng.random(n) < heavy_share) & (spec >= 0)
    n_spec = int(SECTOR_SPECIALTY.max()) + 1
    chosen = choose_in_groups(
        prov.heavy_unit * n_spec + prov.heavy_specialty,
        prov.heavy_weight,
        unit[wants] * n_spec + spec[wants],
        rng,
    )
    heavy = np.zeros(n, dtype=np.int64) - 1
    heavy[wants] = chosen
    citizen = heavy < 0
    n_heavy = prov.heavy_unit.size
    per_unit = np.bincount(unit[citizen], minlength=prov.n_units)
    pool = np.ceil(REPEAT_POOL * per_unit).astype(np.int64) + 1
    offset = np.r_[0, np.cumsum(pool)[:-1]]
    u = unit[citizen]
    code = np.empty(n, dtype=np.int64)
    code[citizen] = n_heavy + offset[u] + np.floor(rng.random(u.size) * pool[u]).astype(np.int64)
    code[~citizen] = heavy[~citizen]
    c["applicant"] = code
    c["kind"] = np.where(citizen, CITIZEN, HEAVY).astype(np.int8)
    c["exempt_pool"] = rng.random(int(pool.sum())) < EXEMPT_SHARE  # by citizen, not by dossier
    c["citizen_base"] = np.array([n_heavy, n_heavy + int(pool.sum())])  # code range of citizens


def _channels(c: CaseArrays, settings: Settings, rng) -> None:
    """Online share by sector, growing over the period, higher for heavy filers."""
    span = (settings.end - settings.start).astype(np.int64)
    t = (c["submitted"].astype("datetime64[D]") - settings.start).astype(np.int64) / span
    online = np.array([s.online for s in SECTORS])[c["sector"]] * (0.8 + 0.4 * t)
    online = np.minimum(np.where(c["kind"] == HEAVY, 1.6 * online, online), 0.9)
    r = rng.random(t.size)
    c["channel"] = np.where(
        r < online, ONLINE, np.where(r < online + POSTAL_SHARE, POSTAL, IN_PERSON)
    ).astype(np.int8)


def _posted_fees(c: CaseArrays, prov: Province, rng) -> None:
    """The fee due by the schedule in force, and the posted fee the case system recorded.

    After a fee change some units' systems kept the old posted fee for a few
    weeks while the counter charged the new one: a unit-wide, both-channel
    excess of a round amount that is not corruption.
    """
    proc, day = c["proc"], c["submitted"].astype("datetime64[D]")
    old = prov.proc_fee[proc]
    if prov.fee_change is None:
        due = old.copy()
        stale = np.zeros(proc.size, dtype=bool)
    else:
        after = day >= prov.fee_change
        due = np.where(after, prov.proc_new_fee[proc], old)
        lag = prov.unit_fee_lag[c["unit"]].astype("timedelta64[D]")
        changed = prov.proc_new_fee != prov.proc_fee  # value-based fees (NaN) never change
        changed &= ~np.isnan(prov.proc_fee)
        stale = after & (day < prov.fee_change + lag) & changed[proc]
    value_based = prov.proc_fee_kind[proc] == VALUE
    due[value_based] = _value_based_fee(prov.proc_rate[proc[value_based]], rng)
    c["fee_due"] = due
    c["fee_official"] = np.where(stale, old, due)


def _assign(c: CaseArrays, prov: Province, rng) -> None:
    """The unit's normal assignment: an officer covering the sector, by workload share.

    The counter officer receives the dossier; now and then a desk officer
    covers the counter (and may receive a dossier that they then process).
    """
    unit, sector = c["unit"], c["sector"]
    cover_group = prov.off_unit[prov.cover_officer] * N_SECTORS + prov.cover_sector
    row = choose_in_groups(cover_group, prov.cover_weight, unit * N_SECTORS + sector, rng)
    c["handler"] = prov.cover_officer[row]
    counter = np.flatnonzero(prov.off_desk < 0)
    receiver = counter[choose_in_groups(prov.off_unit[counter], np.ones(counter.size), unit, rng)]
    covering = np.flatnonzero(rng.random(unit.size) < prov.unit_cover[unit])
    desk_officers = np.arange(prov.n_handlers)
    stand_in = choose_in_groups(
        prov.off_unit[desk_officers] * N_DESKS + prov.off_desk[desk_officers],
        np.ones(prov.n_handlers),
        unit[covering] * N_DESKS + SECTOR_DESK[sector[covering]],
        rng,
    )
    receiver[covering] = stand_in
    c["receiver"] = receiver


def _weekly_load(c: CaseArrays, settings: Settings, n_units: int) -> np.ndarray:
    """Each dossier's unit workload in its week, relative to the unit's average week."""
    week = (c["submitted"].astype("datetime64[D]") - settings.start).astype(np.int64) // 7
    n_weeks = int(week.max()) + 1
    counts = np.bincount(c["unit"] * n_weeks + week, minlength=n_units * n_weeks)
    mean = np.bincount(c["unit"], minlength=n_units) / n_weeks
    return counts[c["unit"] * n_weeks + week] / np.maximum(mean[c["unit"]], 1e-9)


def handle_filings(
    c: CaseArrays, settings: Settings, prov: Province, rng: np.random.Generator
) -> None:
    """Honest supplement requests, durations (working days) and fees charged, in place.

    Adds ``supplements``, ``base_days`` (handling time without the time lost to
    supplement requests), ``duration`` (with it), ``load`` and ``fee_charged``.
    """
    n = c["unit"].size
    proc, sector, handler, unit = c["proc"], c["sector"], c["handler"], c["unit"]
    heavy = c["kind"] == HEAVY
    rate = (
        np.array([s.supplements for s in SECTORS])[sector]
        * prov.proc_supp[proc]
        * prov.off_strict[handler]
        * SUPPLEMENT_CHANNEL[c["channel"]]
        * np.where(heavy, 0.4, 1.0)  # professionals file complete dossiers
    )
    supplements = np.minimum(rng.poisson(rate), 6)
    load = c["load"] = _weekly_load(c, settings, prov.n_units)
    log_ratio = (
        np.log(MEDIAN_RATIO)
        + prov.proc_speed[proc]
        + prov.unit_speed[unit]
        + prov.off_speed[handler]
        + prov.desk_speed[unit, SECTOR_DESK[sector]]
        + 0.4 * np.log(np.maximum(load, 0.2))
        + np.where(heavy, np.log(0.85), 0.0)
        + 0.33 * rng.standard_normal(n)
    )
    base = prov.proc_days[proc] * np.exp(log_ratio)
    same_day = rng.random(n) < prov.proc_same_day[proc]  # simple files settled at once
    base[same_day] = rng.uniform(0.05, 0.8, int(same_day.sum()))
    delay = rng.gamma(np.maximum(2.0 * supplements, 1.0), 0.8) * (supplements > 0)
    c["supplements"] = supplements
    c["base_days"] = base
    c["duration"] = np.maximum(base + delay, 0.03)
    lo, hi = c["citizen_base"]
    code = c["applicant"]
    is_citizen = (c["kind"] == CITIZEN) & (code >= lo) & (code < hi)
    exempt = np.zeros(n, dtype=bool)
    exempt[is_citizen] = c["exempt_pool"][code[is_citizen] - lo]
    fee = np.where(exempt, 0.0, c["fee_due"])
    copy_price = np.array([s.copy_price for s in SECTORS], dtype=np.float64)[sector]
    copies = (copy_price > 0) & ~exempt & (rng.random(n) < COPY_SHARE)
    fee[copies] += (1 + rng.poisson(1.5, int(copies.sum()))) * copy_price[copies]
    c["fee_charged"] = fee
