"""``plan`` (whom to inspect, from a ranking) and ``report`` (the HTML report of a batch)."""

from __future__ import annotations

import sys

from ..export import write_table
from ..progress import Progress
from ._shared import (
    EXIT_OK,
    LEVEL_NAMES,
    as_text,
    clip,
    load_model,
    output_format,
    quarantine,
    read_input_cases,
    read_table,
    rows_word,
    seed,
)

#: Entities inspected when ``--budget`` is not given to ``report`` and ``demo``.
DEFAULT_BUDGET = 10


def print_plan(plan, *, file=None, width: int = 100) -> None:
    """The plan as a short table: entity, unit, how it was selected, score, strongest reason."""
    file = sys.stdout if file is None else file
    level = "handler_id" if "handler_id" in plan.columns else "unit_id"
    by = plan["selected_by"].value_counts()
    print(
        f"inspection plan: {len(plan)} {LEVEL_NAMES[level]}, {by.get('risk', 0)} by risk, "
        f"{by.get('random', 0)} at random",
        file=file,
    )
    columns = {"#": [str(i) for i in range(1, len(plan) + 1)]}
    columns[LEVEL_NAMES[level][:-1]] = plan[level].map(as_text).tolist()
    if level == "handler_id" and "unit_id" in plan.columns:
        columns["unit"] = plan["unit_id"].map(as_text).tolist()
    columns["selected"] = plan["selected_by"].tolist()
    if "risk_score" in plan.columns:
        columns["score"] = [f"{v:.1f}" for v in plan["risk_score"]]
    widths = {k: max(len(k), *(len(v) for v in values)) for k, values in columns.items()}

    def cell(key: str, text: str) -> str:
        return text.rjust(widths[key]) if key in ("#", "score") else text.ljust(widths[key])

    head = "  ".join(cell(k, k) for k in columns)
    room = max(width - len(head) - 2, 20)
    reasons = plan["reasons"] if "reasons" in plan.columns else [""] * len(plan)
    print(f"  {head}  strongest reason", file=file)
    for i, reason in enumerate(reasons):
        cells = "  ".join(cell(k, values[i]) for k, values in columns.items())
        print(f"  {cells}  {clip(as_text(reason).split('; ')[0], room)}".rstrip(), file=file)


def plan(args) -> int:
    from ..planning import plan_inspections

    fmt = output_format(args.out, args.format)
    progress = Progress(3 + bool(args.flags), quiet=args.quiet)
    with progress.step("reading entities") as step:
        entities = read_table(args.entities)
        step.note(f"{len(entities):,} rows")
    flags = None
    if args.flags:
        with progress.step("reading flags") as step:
            flags = read_table(args.flags)
            step.note(f"{len(flags):,} cases")
    with progress.step("planning") as step:
        result = plan_inspections(
            entities,
            args.budget,
            args.random_share,
            args.max_per_unit,
            seed(args),
            flags=flags,
            n_dossiers=args.dossiers,
        )
        step.note(f"{len(result)} of {len(entities):,} selected")
    with progress.step("writing plan") as step:
        path = write_table(result, args.out, fmt)
        step.note(str(path))
    if not args.quiet:
        print_plan(result)
        print(f"plan written to {path}")
    return EXIT_OK


def assess(model, data, progress, *, budget, random_share, random_state):
    """Flags, officers, units and a plan for one batch (the report's and the demo's tables)."""
    from ..planning import plan_inspections

    with progress.step("scoring cases") as step:
        flags = model.score(data)
        step.note(f"{len(flags):,} cases, {int(flags['flagged'].sum()):,} flagged")
    with progress.step("scoring officers and units") as step:
        officers = model.score_entities(data, level="handler_id")
        units = model.score_entities(data, level="unit_id")
        step.note(
            f"{int(officers['flagged'].sum())} of {len(officers):,} officers and "
            f"{int(units['flagged'].sum())} of {len(units):,} units flagged"
        )
    with progress.step("planning inspections") as step:
        if budget is None:
            budget = min(DEFAULT_BUDGET, len(officers))
        plan = plan_inspections(
            officers, budget, random_share, random_state=random_state, flags=flags
        )
        step.note(f"{len(plan)} officers")
    return flags, officers, units, plan


def report(args) -> int:
    from ..report import write_report

    progress = Progress(6, quiet=args.quiet)
    model = load_model(args.model, progress)
    data = read_input_cases(args, progress)
    flags, officers, units, plan = assess(
        model,
        data,
        progress,
        budget=args.budget,
        random_share=args.random_share,
        random_state=seed(args),
    )
    with progress.step("writing report") as step:
        path = write_report(
            args.out,
            model=model,
            data=data,
            flags=flags,
            officers=officers,
            units=units,
            plan=plan,
            lang=args.lang,
        )
        step.note(str(path))
    code = quarantine(data, args.out, what=rows_word(data))
    if not args.quiet:
        print(f"report written to {path}")
    return code
