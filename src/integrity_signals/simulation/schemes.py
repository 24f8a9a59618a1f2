"""The seven corruption schemes, laid over the honest background and labelled per dossier.

Each corrupt officer runs exactly one scheme, on a share of their dossiers
(the scheme's intensity times its base share in
:data:`~integrity_signals.simulation.params.SCHEME_DEFAULTS`). Schemes that
bring dossiers to the officer (a broker's, friends') act before handling
times are drawn; the others change how the officer handles their own
dossiers afterwards. Labels (``c["scheme"]``, 1..6 in the order of
:data:`SCHEMES`) mark exactly the dossiers the scheme touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .background import BROKER, CITIZEN, FRIEND, IN_PERSON, ONLINE, CaseArrays
from .params import HANDLERS_PER_CORRUPT, MAX_CORRUPT_SHARE, SCHEME_DEFAULTS, SCHEMES, Settings
from .province import N_SECTORS, Province

__all__ = ["Plan", "bring_dossiers", "place_officers", "tamper_handling"]

CODE = {name: i + 1 for i, name in enumerate(SCHEMES)}
BROKER_SECTORS = (2, 3, 4)  # land, construction, household business: where speed is worth money
STEER = 0.85  # share of a broker's dossiers steered to the colluding officer
OVERCHARGES = np.array([20_000, 50_000, 100_000, 200_000, 500_000], dtype=np.float64)
OVERCHARGE_P = np.array([0.15, 0.35, 0.30, 0.15, 0.05])
FREE_OVERCHARGES = np.array([20_000, 30_000, 50_000, 100_000], dtype=np.float64)
MAX_SHARE = 0.9
#: Speed money is paid on procedures whose statutory term is at least this (working days):
#: waiting is what the applicant pays to avoid.
SPEED_MONEY_MIN_DAYS = 7


@dataclass
class Plan:
    """Which officer runs which scheme (officer index -> scheme code) and, for brokers, where."""

    officer_scheme: np.ndarray
    officers: dict[str, list[int]] = field(default_factory=lambda: {s: [] for s in SCHEMES})
    broker_sectors: dict[int, np.ndarray] = field(default_factory=dict)

    def share(self, name: str, settings: Settings) -> float:
        return min(MAX_SHARE, SCHEME_DEFAULTS[name] * settings.intensities[name])


def _broker_rows(prov: Province) -> np.ndarray:
    """Coverage rows where steering is visible: a broker sector shared with other officers."""
    group = prov.off_unit[prov.cover_officer] * N_SECTORS + prov.cover_sector
    size = np.bincount(group)[group]
    total = np.bincount(group, prov.cover_weight)[group]
    return np.flatnonzero(
        np.isin(prov.cover_sector, BROKER_SECTORS)
        & (size >= 2)
        & (prov.cover_weight / total <= 0.7)
    )


def place_officers(
    settings: Settings, prov: Province, c: CaseArrays, rng: np.random.Generator
) -> Plan:
    """Pick the corrupt officers: a few per scheme, among officers busy enough to leave a trace."""
    n_off = prov.off_unit.size
    plan = Plan(np.zeros(n_off, dtype=np.int8))
    active = [s for s in SCHEMES if settings.intensities[s] > 0]
    if not active:
        return plan
    k = settings.officers_per_scheme
    if k is None:
        k = max(1, round(prov.n_handlers / HANDLERS_PER_CORRUPT))
        room = max(1, round(MAX_CORRUPT_SHARE * prov.n_handlers)) // k
        if room < len(active):  # a small province: only some schemes, picked at random
            keep = set(rng.choice(len(active), room, replace=False).tolist())
            active = [s for i, s in enumerate(active) if i in keep]
    volume = np.bincount(c["handler"], minlength=n_off)[: prov.n_handlers].astype(np.float64)
    in_person = np.bincount(c["handler"][c["channel"] == IN_PERSON], minlength=n_off)
    busy = volume >= 0.5 * np.median(volume[volume > 0])
    paid = np.bincount(c["handler"][c["fee_due"] > 0], minlength=n_off)[: prov.n_handlers]
    broker_rows = _broker_rows(prov)
    long = np.bincount(
        c["handler"][prov.proc_days[c["proc"]] >= SPEED_MONEY_MIN_DAYS], minlength=n_off
    )[: prov.n_handlers]
    eligible = {
        "broker_fast_track": np.isin(np.arange(prov.n_handlers), prov.cover_officer[broker_rows]),
        "waiver_favour": paid >= 20,
        "speed_money": long >= 40,
    }
    for name in active:
        ok = busy & (in_person[: prov.n_handlers] >= 20) & eligible.get(name, True)
        ok &= plan.officer_scheme[: prov.n_handlers] == 0
        if not ok.any():  # a small province: take any free officer with dossiers
            ok = (volume > 0) & (plan.officer_scheme[: prov.n_handlers] == 0)
        pool = np.flatnonzero(ok)
        if pool.size == 0:
            continue
        chosen = np.sort(rng.choice(pool, min(k, pool.size), replace=False))
        plan.officer_scheme[chosen] = CODE[name]
        plan.officers[name] = [int(o) for o in chosen]
        if name == "broker_fast_track":
            for o in chosen:
                rows = broker_rows[prov.cover_officer[broker_rows] == o]
                if rows.size == 0:
                    rows = np.flatnonzero(prov.cover_officer == o)
                plan.broker_sectors[int(o)] = np.unique(prov.cover_sector[rows])
    return plan


def _new_applicants(c: CaseArrays, n: int) -> np.ndarray:
    """``n`` fresh applicant codes, after every code in use."""
    first = int(c.get("next_code", max(int(c["applicant"].max()) + 1, int(c["citizen_base"][1]))))
    c["next_code"] = first + n
    return np.arange(first, first + n)


def _spread(rng, n_people: int, n_dossiers: int) -> np.ndarray:
    """Which of ``n_people`` files each of ``n_dossiers`` (unequal shares)."""
    return rng.choice(n_people, n_dossiers, p=rng.dirichlet(np.full(n_people, 2.0)))


def bring_dossiers(
    c: CaseArrays, settings: Settings, prov: Province, plan: Plan, rng: np.random.Generator
) -> None:
    """Brokers and friends: dossiers that reach the corrupt officer, rewritten in place."""
    volume = np.bincount(c["handler"], minlength=prov.off_unit.size)
    for o in plan.officers["broker_fast_track"]:
        sectors = plan.broker_sectors[o]
        pool = np.flatnonzero(
            (c["unit"] == prov.off_unit[o])
            & np.isin(c["sector"], sectors)
            & (c["kind"] == CITIZEN)
            & (c["scheme"] == 0)
        )
        n = min(round(plan.share("broker_fast_track", settings) * volume[o]), pool.size // 4)
        if n == 0:
            continue
        rows = _recruit(c, rng, pool, n, BROKER, (1, 4))
        c["channel"][rows] = np.where(rng.random(n) < 0.9, IN_PERSON, ONLINE)
        steered = rows[rng.random(n) < STEER]
        c["handler"][steered] = o
        c["scheme"][rows[c["handler"][rows] == o]] = CODE["broker_fast_track"]
    for o in plan.officers["waiver_favour"]:
        covered = prov.cover_sector[prov.cover_officer == o]
        pool = np.flatnonzero(
            (c["unit"] == prov.off_unit[o])
            & np.isin(c["sector"], covered)
            & (c["kind"] == CITIZEN)
            & (c["fee_due"] > 0)
            & (c["scheme"] == 0)
        )
        n = min(max(3, round(plan.share("waiver_favour", settings) * volume[o])), pool.size // 2)
        if n == 0:
            continue
        rows = _recruit(c, rng, pool, n, FRIEND, (2, 5))
        c["channel"][rows] = IN_PERSON
        c["handler"][rows] = o
        c["scheme"][rows] = CODE["waiver_favour"]


def _recruit(c: CaseArrays, rng, pool: np.ndarray, n: int, kind: int, people: tuple[int, int]):
    """``n`` dossiers of ``pool`` refiled by a few new applicants of ``kind`` (brokers, friends).

    Between ``people[0]`` and ``people[1] - 1`` of them, with unequal shares; returns the rows.
    """
    rows = np.sort(rng.choice(pool, n, replace=False))
    applicants = _new_applicants(c, int(rng.integers(*people)))
    c["applicant"][rows] = applicants[_spread(rng, applicants.size, n)]
    c["kind"][rows] = kind
    return rows


def _own_dossiers(c: CaseArrays, o: int, share: float, rng) -> np.ndarray:
    """A random ``share`` of officer ``o``'s untouched in-person dossiers."""
    pool = np.flatnonzero((c["handler"] == o) & (c["channel"] == IN_PERSON) & (c["scheme"] == 0))
    return pool[rng.random(pool.size) < share]


def tamper_handling(
    c: CaseArrays, settings: Settings, prov: Province, plan: Plan, rng: np.random.Generator
) -> None:
    """How corrupt officers handle dossiers, after the honest handling was drawn, in place.

    Adds ``off_book`` (completion to be stamped outside working time).
    """
    c["off_book"] = np.zeros(c["unit"].size, dtype=bool)
    rows = np.flatnonzero(c["scheme"] == CODE["broker_fast_track"])  # queue jumping
    c["duration"][rows] = c["base_days"][rows] * rng.uniform(0.08, 0.3, rows.size)
    c["supplements"][rows] = 0
    rows = np.flatnonzero(c["scheme"] == CODE["waiver_favour"])
    c["duration"][rows] = c["base_days"][rows] * rng.uniform(0.15, 0.5, rows.size)
    c["supplements"][rows] = 0
    c["fee_charged"][rows] = 0.0
    days = prov.proc_days[c["proc"]]
    for o in plan.officers["harassment"]:
        rows = _own_dossiers(c, o, plan.share("harassment", settings), rng)
        extra = 1 + rng.poisson(0.8, rows.size)
        c["supplements"][rows] += extra
        stalled = rng.random(rows.size) < 0.6  # the rest pay and then finish suddenly
        stall = days[rows] * rng.uniform(0.6, 1.6, rows.size) + rng.gamma(2.0 * extra, 0.8)
        c["duration"][rows] = np.where(
            stalled,
            c["duration"][rows] + stall,
            c["base_days"][rows] * rng.uniform(0.4, 0.9, rows.size),
        )
        c["scheme"][rows] = CODE["harassment"]
    for o in plan.officers["overcharging"]:
        rows = _own_dossiers(c, o, plan.share("overcharging", settings), rng)
        due = c["fee_due"][rows]
        pick = rng.choice(OVERCHARGES.size, rows.size, p=OVERCHARGE_P)
        cap = np.searchsorted(OVERCHARGES, np.maximum(100_000, 2 * due), side="right") - 1
        extra = np.where(
            due > 0,
            OVERCHARGES[np.minimum(pick, cap)],
            FREE_OVERCHARGES[rng.integers(0, FREE_OVERCHARGES.size, rows.size)],
        )
        c["fee_charged"][rows] = due + extra  # exemptions and copy charges ignored
        c["scheme"][rows] = CODE["overcharging"]
    for o in plan.officers["off_book"]:
        rows = _own_dossiers(c, o, plan.share("off_book", settings), rng)
        c["duration"][rows] = c["base_days"][rows] * rng.uniform(0.2, 0.6, rows.size)
        c["off_book"][rows] = True
        c["scheme"][rows] = CODE["off_book"]
    for o in plan.officers["receiver_is_processor"]:
        rows = _own_dossiers(c, o, plan.share("receiver_is_processor", settings), rng)
        c["receiver"][rows] = o
        c["duration"][rows] *= rng.uniform(0.5, 1.0, rows.size)  # no queue at the counter
        c["scheme"][rows] = CODE["receiver_is_processor"]
    for o in plan.officers["speed_money"]:
        # paid to return ordinary dossiers of long procedures within a day, on any channel, for
        # applicants who have nothing else in common (no broker, no fee trace, no channel)
        pool = np.flatnonzero(
            (c["handler"] == o)
            & (c["scheme"] == 0)
            & (prov.proc_days[c["proc"]] >= SPEED_MONEY_MIN_DAYS)
        )
        rows = pool[rng.random(pool.size) < plan.share("speed_money", settings)]
        c["duration"][rows] = rng.uniform(0.05, 1.0, rows.size)
        c["supplements"][rows] = 0
        c["scheme"][rows] = CODE["speed_money"]
    np.maximum(c["duration"], 0.03, out=c["duration"])
