"""``plan`` (whom to inspect, from a ranking) and ``report`` (the HTML report of a batch)."""

from __future__ import annotations

import sys

from ..export import write_table
from ..formatting import format_number
from ..progress import Progress
from ._shared import (
    EXIT_OK,
    LEVEL_NAMES,
    as_text,
    check_memory,
    check_writable,
    clip,
    load_model,
    output_format,
    quarantine,
    read_input_cases,
    read_table,
    seed,
)
from .messages import say

#: Entities inspected when ``--budget`` is not given to ``report`` and ``demo``.
DEFAULT_BUDGET = 10


def print_plan(plan, *, file=None, width: int = 100, lang: str = "en") -> None:
    """The plan as a short table: entity, unit, how it was selected, score, strongest reason."""
    file = sys.stdout if file is None else file
    level = "handler_id" if "handler_id" in plan.columns else "unit_id"
    by = plan["selected_by"].value_counts()
    print(
        say(lang, "plan_head", n=len(plan), level=say(lang, f"level_{LEVEL_NAMES[level]}"),
            k=int(by.get("risk", 0)), r=int(by.get("random", 0))),
        file=file,
    )  # fmt: skip
    number, entity, unit, selected, score, reason = say(lang, "plan_columns").split("|")
    columns = {number: [str(i) for i in range(1, len(plan) + 1)]}
    columns[entity if level == "handler_id" else unit] = plan[level].map(as_text).tolist()
    if level == "handler_id" and "unit_id" in plan.columns:
        columns[unit] = plan["unit_id"].map(as_text).tolist()
    by_label = {"risk": say(lang, "by_risk"), "random": say(lang, "by_random")}
    columns[selected] = [by_label.get(v, v) for v in plan["selected_by"]]
    if "risk_score" in plan.columns:
        columns[score] = [format_number(v, lang, 1) for v in plan["risk_score"]]
    widths = {k: max(len(k), *(len(v) for v in values)) for k, values in columns.items()}

    def cell(key: str, text: str) -> str:
        return text.rjust(widths[key]) if key in (number, score) else text.ljust(widths[key])

    head = "  ".join(cell(k, k) for k in columns)
    room = max(width - len(head) - 2, 20)
    reasons = plan["reasons"] if "reasons" in plan.columns else [""] * len(plan)
    print(f"  {head}  {reason}", file=file)
    for i, text in enumerate(reasons):
        cells = "  ".join(cell(k, values[i]) for k, values in columns.items())
        print(f"  {cells}  {clip(as_text(text).split('; ')[0], room)}".rstrip(), file=file)


def plan(args) -> int:
    from ..planning import plan_inspections

    lang = args.lang
    fmt = output_format(args.out, args.format, lang)
    check_writable("--out", args.out)
    progress = Progress(3 + bool(args.flags), quiet=args.quiet, lang=lang)
    with progress.step(say(lang, "reading entities")) as step:
        entities = read_table(args.entities)
        step.note(say(lang, "n_rows", n=len(entities)))
    flags = None
    if args.flags:
        with progress.step(say(lang, "reading flags")) as step:
            flags = read_table(args.flags)
            step.note(say(lang, "n_rows", n=len(flags)))
    with progress.step(say(lang, "planning")) as step:
        result = plan_inspections(
            entities,
            args.budget,
            args.random_share,
            args.max_per_unit,
            seed(args),
            flags=flags,
            n_dossiers=args.dossiers,
        )
        step.note(say(lang, "selected_note", k=len(result), n=len(entities)))
    with progress.step(say(lang, "writing plan")) as step:
        path = write_table(result, args.out, fmt)
        step.note(str(path))
    if not args.quiet:
        print_plan(result, lang=lang)
        print(say(lang, "plan_written", path=str(path)))
    return EXIT_OK


def assess(model, data, progress, *, budget, random_share, random_state, lang="en", force=False):
    """Flags, officers, units and a plan for one batch (the report's and the demo's tables)."""
    from ..planning import plan_inspections

    with progress.step(say(lang, "scoring cases")) as step:
        flags = model.score(data, lang=lang, force=force)
        step.note(say(lang, "cases_flagged", n=len(flags), k=int(flags["flagged"].sum())))
    with progress.step(say(lang, "scoring officers and units")) as step:
        officers = model.score_entities(data, level="handler_id", lang=lang, force=force)
        units = model.score_entities(data, level="unit_id", lang=lang, force=force)
        step.note(
            say(lang, "entities_flagged", k=int(officers["flagged"].sum()), n=len(officers),
                ku=int(units["flagged"].sum()), nu=len(units))
        )  # fmt: skip
    with progress.step(say(lang, "planning inspections")) as step:
        if budget is None:
            budget = min(DEFAULT_BUDGET, len(officers))
        plan = plan_inspections(
            officers, budget, random_share, random_state=random_state, flags=flags
        )
        step.note(say(lang, "n_officers", n=len(plan)))
    return flags, officers, units, plan


def report(args) -> int:
    from ..report import write_report

    lang = args.lang
    check_writable("--out", args.out)
    progress = Progress(6, quiet=args.quiet, lang=lang)
    check_memory(args, args.cases, "score")
    model = load_model(args.model, progress, lang, args.model_sha256)
    data = read_input_cases(args, progress)
    flags, officers, units, plan = assess(
        model,
        data,
        progress,
        budget=args.budget,
        random_share=args.random_share,
        random_state=seed(args),
        lang=lang,
        force=args.force,
    )
    with progress.step(say(lang, "writing report")) as step:
        path = write_report(
            args.out,
            model=model,
            data=data,
            flags=flags,
            officers=officers,
            units=units,
            plan=plan,
            lang=lang,
        )
        step.note(str(path))
    code = quarantine(data, args.out, lang)
    if not args.quiet:
        print(say(lang, "report_written", path=str(path)))
    return code
