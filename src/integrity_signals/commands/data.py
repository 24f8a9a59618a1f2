"""``validate`` (a case file or catalog against the contract) and ``simulate`` (a province)."""

from __future__ import annotations

from ..formatting import format_number, format_percent
from ..vocabulary import reject_label
from ._shared import EXIT_OK, EXIT_QUARANTINED, check_writable, is_event_log, read_input, sheet
from .messages import reject_text, say


def print_summary(data, lang: str, show: int) -> None:
    """Rows (or events) in, valid and rejected by reason, the columns mapped, the first
    problems."""
    summary = data.summary()
    events = is_event_log(data)
    if events:
        print(
            say(lang, "summary_events", source=summary.source or "input", n=summary.n_input,
                valid=summary.n_valid, cases=summary.n_cases, open=summary.n_open,
                rejected=summary.n_rejected)
        )  # fmt: skip
    else:
        print(
            say(lang, "summary", source=summary.source or "input", n=summary.n_input,
                valid=summary.n_valid, rejected=summary.n_rejected)
        )  # fmt: skip
    if len(summary.by_reason):
        print(say(lang, "by_reason_events" if events else "by_reason"))
        for reason, count in summary.by_reason.items():
            print(f"  {reject_label(reason, lang):<34} {format_number(int(count), lang):>8}")
    mapped = [f"{src!r} -> {canon}" for canon, src in summary.column_map.items() if src != canon]
    if mapped:
        print(say(lang, "mapped", pairs=", ".join(mapped)))
    if len(data.rejects):
        shown = data.rejects.head(show)
        print(say(lang, "problems", n=len(shown)))
        for row in shown.to_dict("records"):
            message = reject_text(row, lang, summary.column_map, events=events)
            print(say(lang, "problem_event" if events else "problem", row=str(row["row"]),
                      message=message))  # fmt: skip


def validate(args) -> int:
    from ..catalog import read_catalog
    from ..exceptions import SchemaError
    from ..export import write_table

    if args.catalog and args.events:
        raise SchemaError(say(args.lang, "catalog_with_events"))
    if args.rejects:
        check_writable("--rejects", args.rejects)
    if args.catalog:
        data = read_catalog(
            args.file,
            args.columns,
            encoding=args.encoding,
            delimiter=args.delimiter,
            sheet_name=sheet(args.sheet),
        )
    else:
        data = read_input(args.file, args)
    if not args.quiet:
        print_summary(data, args.lang, args.show)
    if args.rejects:
        path = write_table(data.rejects, args.rejects)
        if not args.quiet:
            print(say(args.lang, "rejects_written", path=str(path)))
    return EXIT_QUARANTINED if data.n_rejected else EXIT_OK


def simulate(args) -> int:
    from ..simulation import simulate, write_simulation

    for option in ("out", "truth", "catalog"):
        if getattr(args, option):
            check_writable(f"--{option}", getattr(args, option))
    sim = simulate(
        args.cases,
        n_units=args.units,
        months=args.months,
        corruption=args.corruption,
        random_state=args.seed,
    )
    written = write_simulation(
        sim,
        args.out,
        truth_path=args.truth,
        catalog_path=args.catalog,
        fmt=args.format,
        vietnamese_headers=args.vietnamese_headers,
    )
    if not args.quiet:
        lang = args.lang
        n_corrupt = int(sim.truth["is_corrupt"].sum())
        share = format_percent(round(n_corrupt / max(len(sim.cases), 1), 3), lang)
        print(
            say(lang, "simulated", n=len(sim.cases), units=sim.cases["unit_id"].nunique(),
                corrupt=n_corrupt, share=share)
        )  # fmt: skip
        kinds = {"cases": "hồ sơ", "truth": "đáp án mô phỏng", "catalog": "danh mục thủ tục"}
        for kind, path in written.items():
            kind = kinds.get(kind, kind) if lang == "vi" else kind
            print(say(lang, "sim_written", kind=kind, path=str(path)))
    return EXIT_OK
