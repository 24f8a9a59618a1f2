"""``demo``: the whole job on a simulated province, from dossiers to an inspection plan."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ..export import write_table
from ..progress import Progress
from ._shared import EXIT_OK, as_text
from .inspection import assess

#: What the demo writes, and what each file is for.
FILES = {
    "flags.csv": "every dossier, riskiest first, with its reasons",
    "officers.csv": "officers ranked, with reasons and the counts behind them",
    "units.csv": "communes / wards ranked",
    "plan.csv": "whom to inspect (riskiest plus a random share) and the dossiers to pull",
    "report.html": "the report for inspectors: open it in a browser",
    "model.joblib": "the fitted model, to score new batches",
}

_TOP = 5  # officers printed


def _print_top(officers, truth, n_top: int) -> None:
    schemes = dict(zip(truth["handler_id"], truth["scheme"], strict=True))
    n_flagged = int(officers["flagged"].sum())
    print(f"Top officers ({n_flagged} of {len(officers)} flagged):")
    for row in officers.head(n_top).itertuples(index=False):
        scheme = schemes.get(row.handler_id, "none")
        planted = "no scheme planted" if scheme == "none" else f"planted scheme: {scheme}"
        print(
            f"{row.rank:>3}. {row.handler_id} (unit {row.unit_id})  risk {row.risk_score:.1f}, "
            f"{row.n_cases:,} dossiers, {row.n_flagged_cases:,} flagged  [{planted}]"
        )
        for reason in as_text(row.reasons).split("; "):
            if reason:
                print(
                    textwrap.fill(reason, 96, initial_indent="     - ", subsequent_indent="       ")
                )
    corrupt = set(truth.loc[truth["corrupt"], "handler_id"])
    flagged = set(officers.loc[officers["flagged"], "handler_id"])
    false = len(flagged - corrupt)
    print(
        f"Simulation truth: {len(corrupt)} officers run a scheme; {len(corrupt & flagged)} of them "
        f"are flagged; {false} flagged {'officer runs' if false == 1 else 'officers run'} none."
    )


def demo(args) -> int:
    from ..model import RiskModel
    from ..report import write_report
    from ..simulation import simulate
    from ..validation import validate_cases

    out = Path(args.out)
    progress = Progress(8, quiet=args.quiet)
    with progress.step("simulating a province") as step:
        sim = simulate(args.cases, random_state=args.seed)
        data = validate_cases(sim.cases)
        step.note(
            f"{len(sim.cases):,} dossiers, {sim.cases['unit_id'].nunique()} units, "
            f"{len(sim.entity_truth):,} officers"
        )
    with progress.step("fitting") as step:
        model = RiskModel(random_state=args.seed).fit(data, catalog=sim.catalog)
        step.note(f"{len(data.cases):,} reference cases")
    flags, officers, units, plan = assess(
        model,
        data,
        progress,
        budget=args.budget,
        random_share=args.random_share,
        random_state=args.seed,
    )
    with progress.step("writing tables") as step:
        for name, table in (
            ("flags.csv", flags),
            ("officers.csv", officers),
            ("units.csv", units),
            ("plan.csv", plan),
        ):
            write_table(table, out / name)
        step.note(f"{out}")
    with progress.step("writing report") as step:
        write_report(
            out / "report.html",
            model=model,
            data=data,
            flags=flags,
            officers=officers,
            units=units,
            plan=plan,
            lang=args.lang,
        )
        step.note(str(out / "report.html"))
    with progress.step("saving model") as step:
        model.save(out / "model.joblib")
        step.note(str(out / "model.joblib"))
    if not args.quiet:
        _print_top(officers, sim.entity_truth, _TOP)
        print(f"\nFiles in {out}{'/' if not str(out).endswith('/') else ''}:")
        for name, what in FILES.items():
            print(f"  {name:<13} {what}")
        print(
            "\nNext: the same cases as a file, then score them with the saved model:\n"
            f"  integrity-signals simulate --cases {args.cases} --seed {args.seed} --out cases.csv\n"
            f"  integrity-signals score cases.csv --model {out / 'model.joblib'} --out flags.csv "
            "--entities handler_id,unit_id"
        )
    return EXIT_OK
