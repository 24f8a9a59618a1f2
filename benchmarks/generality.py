"""Generality: does every signal carry an officer whose events of it alone are in excess?

    python benchmarks/generality.py [--cases 50000] [--seeds 0] [--intensities 2,3,5]
                                    [--signals fast,slow,...] [--officers 6]

Our simulator is not the world. This benchmark plants no scheme of ours: on
an honest simulated province (every honest look-alike of ``docs/simulation.md``
present: fast officers and desks, same-day procedures, strict officers,
Saturday desks, stale posted fees, heavy filers, copy charges), it picks
officers (one per unit: two planted officers of one desk would be each
other's peers) and makes *one signal alone* run at 2, 3 and 5 times the
officer's expected count of its events, nothing else changed. Each planted officer
plants on one channel only (online or at the counter, alternately) and in one
sector (its sectors in turn), so that no test can rely on where a scheme
happens. The expected count is the officer's own, from a model fitted on the
clean province (at least 10: a signal whose events are rarer is planted as if
10 were expected, since three times nothing is nothing).

For each signal and intensity it reports: the planted officers' recall in the
top K officers (K = officers planted) and how many are flagged, the recall of
the planted dossiers within the top N dossiers (N = dossiers planted) and how
many are flagged, and the clean province's false flags (dossiers and
officers) in the same run. Issue 11's bar: officer recall >= 0.9 at 3x for
every signal.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from _harness import machine

import integrity_signals as isig
from integrity_signals.signals import SIGNALS, signal

#: Events planted per officer at intensity k: (k - 1) x max(expected, MIN_EXPECTED).
MIN_EXPECTED = 10.0
#: Officers need this many dossiers to be planted on.
MIN_CASES = 300
_CAL = isig.WorkCalendar()


def _working(start: pd.Series, days: np.ndarray) -> pd.Series:
    """``days`` working days after ``start`` (whole days from the start's day, plus hours)."""
    whole = np.floor(days)
    base = pd.Series(_CAL.add_working_days(start.to_numpy(), whole), index=start.index)
    return base.dt.normalize() + pd.to_timedelta(8 + 8 * (days - whole), unit="h")


# ------------------------------------------------------------------ what makes one event
def _fast(c: pd.DataFrame, rows, ctx) -> None:
    c.loc[rows, "completed_at"] = c.loc[rows, "submitted_at"] + pd.Timedelta(minutes=30)
    c.loc[rows, "status"] = "returned"


def _slow(c, rows, ctx) -> None:
    days = ctx["p99"].reindex(c.loc[rows, "procedure_id"]).to_numpy() * 2.0 + 5
    c.loc[rows, "completed_at"] = _working(c.loc[rows, "submitted_at"], days).to_numpy()
    c.loc[rows, "status"] = "returned"


def _supplements(c, rows, ctx) -> None:
    top = ctx["supp_max"].reindex(c.loc[rows, "procedure_id"]).to_numpy()
    c.loc[rows, "supplement_requests"] = pd.array(np.maximum(top, 1) + 2, dtype="Int64")


def _off_time(c, rows, ctx) -> None:
    day = c.loc[rows, "completed_at"].dt.normalize()
    c.loc[rows, "completed_at"] = day + pd.Timedelta(hours=21)


def _non_workday(c, rows, ctx) -> None:
    from integrity_signals.simulation.timing import next_day_off

    day = next_day_off(c.loc[rows, "submitted_at"].to_numpy().astype("datetime64[D]"), _CAL)
    c.loc[rows, "completed_at"] = pd.to_datetime(day) + pd.Timedelta(hours=10)
    c.loc[rows, "status"] = "returned"


def _due_gap(c, rows, ctx) -> None:
    c.loc[rows, "due_at"] = _working(
        c.loc[rows, "due_at"].dt.normalize(), np.full(len(rows), 5.0)
    ).dt.normalize() + pd.Timedelta(hours=17)


def _excess_fee(c, rows, ctx) -> None:
    c.loc[rows, "fee_charged"] = c.loc[rows, "fee_official"] + 50_000


def _waiver(c, rows, ctx) -> None:
    c.loc[rows, "fee_charged"] = 0.0


def _posted_gap(c, rows, ctx) -> None:
    c.loc[rows, "fee_official"] = c.loc[rows, "fee_official"] + 20_000
    c.loc[rows, "fee_charged"] = c.loc[rows, "fee_official"]


def _repeat_pair(c, rows, ctx) -> None:
    """Brokers: the planted dossiers are refiled by a few new applicants, 8 dossiers each."""
    groups = np.arange(len(rows)) // 8
    c.loc[rows, "applicant_id"] = [f"PLANT{ctx['tag']}-{g}" for g in groups]


def _self_receipt(c, rows, ctx) -> None:
    c.loc[rows, "receiver_id"] = c.loc[rows, "handler_id"]


PLANTS = {
    "fast": (_fast,), "slow": (_slow,), "queue_jump": (_fast,), "supplements": (_supplements,),
    "supplements_fast": (_supplements, _fast), "off_time": (_off_time,),
    "non_workday": (_non_workday,), "due_gap": (_due_gap,), "excess_fee": (_excess_fee,),
    "waiver": (_waiver,), "waiver_fast": (_waiver, _fast), "posted_gap": (_posted_gap,),
    "repeat_pair": (_repeat_pair,), "pair_fast": (_repeat_pair, _fast),
    "pair_jump": (_repeat_pair, _fast), "pair_waiver": (_repeat_pair, _waiver),
    "self_receipt": (_self_receipt,),
}  # fmt: skip


def _eligible(c: pd.DataFrame, name: str) -> np.ndarray:
    """Dossiers the plant can turn into events of the signal."""
    done = c["completed_at"].notna().to_numpy()
    paid = (c["fee_official"] > 0).to_numpy()
    work = _CAL.is_workday(c["completed_at"].to_numpy()) & done
    needs = {
        "fast": done, "slow": np.ones(len(c), bool), "queue_jump": done, "off_time": work,
        "non_workday": np.ones(len(c), bool), "excess_fee": paid, "waiver": paid,
        "waiver_fast": paid, "pair_waiver": paid, "posted_gap": paid,
        "due_gap": c["due_at"].notna().to_numpy(),
    }  # fmt: skip
    return needs.get(name, np.ones(len(c), bool))


def plant(cases, catalog, model, name: str, k: float, n_officers: int, seed: int):
    """Copy of ``cases`` where ``n_officers`` officers' events of signal ``name`` run at ``k`` x
    their expected count; returns (cases, planted mask, officers, expected counts)."""
    rng = np.random.default_rng(seed)
    c = cases.copy()
    ev = model._evidence(cases)
    j = [s.name for s in SIGNALS].index(name)
    officer = ev.officers
    is_event = ev.tails.events[:, j] == 1
    eligible = _eligible(c, name)
    # officers busy enough, with dossiers to plant on both channels
    room = pd.crosstab(c["handler_id"], c["channel"], values=eligible & ~is_event, aggfunc="sum")
    counts = c["handler_id"].value_counts()
    ok = (counts.reindex(room.index) >= MIN_CASES) & (
        room[["online", "in_person"]].min(axis=1) >= 30
    )
    pool = sorted(room.index[ok.to_numpy()])
    # one per unit: two planted officers of one desk would be each other's peers
    unit_of = c.groupby("handler_id")["unit_id"].first()
    chosen, units = [], set()
    for o in rng.permutation(pool):
        if unit_of[o] not in units and len(chosen) < n_officers:
            chosen.append(o)
            units.add(unit_of[o])
    took = _CAL.working_days(c["submitted_at"], c["completed_at"])
    ctx = {
        "p99": took.groupby(c["procedure_id"]).quantile(0.99),
        "supp_max": c["supplement_requests"].astype(float).groupby(c["procedure_id"]).max(),
    }
    sector = c["procedure_id"].map(catalog.drop_duplicates("procedure_id", keep="last")
                                   .set_index("procedure_id")["sector"])  # fmt: skip
    planted = np.zeros(len(c), dtype=bool)
    expected = []
    for i, o in enumerate(chosen):
        mine = (c["handler_id"] == o).to_numpy()
        e = float(officer.expected[officer.ids.get_loc(o), j])
        expected.append(e)
        channel = "online" if i % 2 == 0 else "in_person"
        sectors = sector[mine].value_counts().index.tolist()
        target = sectors[(i // 2) % len(sectors)]
        pool_rows = np.flatnonzero(
            mine & eligible & ~is_event & (c["channel"] == channel).to_numpy()
            & (sector == target).to_numpy()
        )  # fmt: skip
        if pool_rows.size < 10:  # too few in that sector: any of the channel's
            pool_rows = np.flatnonzero(
                mine & eligible & ~is_event & (c["channel"] == channel).to_numpy()
            )
        n = int(round((k - 1) * max(e, MIN_EXPECTED)))
        rows = rng.choice(pool_rows, size=min(n, pool_rows.size), replace=False)
        planted[rows] = True
        idx = c.index[rows]
        for fn in PLANTS[name]:
            fn(c, idx, ctx | {"tag": f"{o}-{seed}"})
    return c, planted, chosen, expected


def run(n_cases: int, seed: int, names, intensities, n_officers: int) -> list[dict]:
    sim = isig.simulate(n_cases, random_state=seed, corruption=0)
    clean = isig.RiskModel(random_state=seed).fit(sim.cases, catalog=sim.catalog)
    flags = clean.score(sim.cases)
    officers = clean.score_entities(sim.cases)
    rows = [{"signal": "(none: the honest province)", "k": 0, "cases_flagged": flags["flagged"].mean(),
             "officers_flagged": officers["flagged"].mean()}]  # fmt: skip
    for name in names:
        coverage = clean.coverage_.get(f"signal:{name}", "ok")
        if coverage != "ok":
            rows.append({"signal": name, "k": None, "note": coverage})
            continue
        for k in intensities:
            t0 = time.perf_counter()
            cases, planted, chosen, expected = plant(
                sim.cases, sim.catalog, clean, name, k, n_officers, seed
            )
            model = isig.RiskModel(random_state=seed).fit(cases, catalog=sim.catalog)
            f = model.score(cases)
            off = model.score_entities(cases)
            ids = set(cases.loc[planted, "case_id"])
            n_planted = len(ids)
            top_cases = set(f["case_id"].head(n_planted))
            top_officers = set(off["handler_id"].head(len(chosen)))
            mine = off[off["handler_id"].isin(chosen)]
            hit = f["case_id"].isin(ids)
            rows.append({
                "signal": name, "k": k, "officers": len(chosen),
                "expected": float(np.mean(expected)), "planted": n_planted,
                "officer_recall": len(top_officers & set(chosen)) / len(chosen),
                "officers_flagged": int(mine["flagged"].sum()),
                "median_rank": float(mine["rank"].median()),
                "case_recall": len(top_cases & ids) / max(n_planted, 1),
                "cases_flagged": float(f.loc[hit, "flagged"].mean()) if n_planted else 0.0,
                "honest_flagged": float(f.loc[~hit, "flagged"].mean()),
                "seconds": time.perf_counter() - t0,
            })  # fmt: skip
            print(_line(rows[-1]), flush=True)
    return rows


def _line(r: dict) -> str:
    if r.get("k") is None:
        return f"| {r['signal']} | - | {r.get('note', '')} |"
    return (
        f"| {r['signal']} | {r['k']}x | {r['officers']} | {r['expected']:.1f} | {r['planted']} | "
        f"{r['officer_recall']:.2f} | {r['officers_flagged']}/{r['officers']} | {r['median_rank']:.0f} | "
        f"{r['case_recall']:.2f} | {r['cases_flagged']:.2f} | {r['honest_flagged']:.3%} | {r['seconds']:.0f} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=50_000)
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--intensities", default="2,3,5")
    ap.add_argument("--signals", default=",".join(PLANTS))
    ap.add_argument("--officers", type=int, default=6)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    names = [signal(s).name for s in args.signals.split(",")]
    intensities = [float(k) for k in args.intensities.split(",")]
    print(f"machine: {machine()}")
    print(
        "| signal | intensity | officers | their mean expected count | dossiers planted | "
        "officer recall@K | officers flagged | median officer rank | dossier recall@N | "
        "planted dossiers flagged | other dossiers flagged | s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for seed in (int(s) for s in args.seeds.split(",")):
        rows = run(args.cases, seed, names, intensities, args.officers)
        honest = rows[0]
        print(
            f"\nseed {seed}: the honest province flags {honest['cases_flagged']:.3%} of dossiers "
            f"and {honest['officers_flagged']:.1%} of officers"
        )
        at3 = [r for r in rows[1:] if r.get("k") == 3.0]
        weak = [r["signal"] for r in at3 if r["officer_recall"] < 0.9]
        print(f"seed {seed}: signals below officer recall 0.9 at 3x: {', '.join(weak) or 'none'}")


if __name__ == "__main__":
    main()
