"""``validate`` (a case file or catalog against the contract) and ``simulate`` (a province)."""

from __future__ import annotations

from pathlib import Path

from ..formatting import format_number, format_percent
from ..vocabulary import column_label, reject_label
from ._shared import (
    DEFAULT_TZ,
    EXIT_OK,
    EXIT_QUARANTINED,
    check_writable,
    is_event_log,
    log,
    read_input,
    sheet,
)
from .messages import applicability_text, reject_text, resolution_text, say


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


def _read_within_memory(args):
    """The case file read whole, or a CSV larger than the memory allowed block by block."""
    from ..exceptions import IntegritySignalsError
    from ..filetypes import sniff
    from ..resources import check_memory

    if args.events is None and Path(args.file).is_file():  # a missing file: the reader says so
        try:
            check_memory(args.file, "read", args.max_memory)
        except IntegritySignalsError as exc:
            if exc.code != "memory_limit" or sniff(args.file).kind not in ("text", "gzip"):
                raise
            from ..chunked import validate_csv_in_chunks

            log.info("%s", say(args.lang, "reading_in_chunks", path=str(args.file)))
            return validate_csv_in_chunks(
                args.file, args.columns, dayfirst=not args.monthfirst,
                tz=args.tz or DEFAULT_TZ, encoding=args.encoding, delimiter=args.delimiter,
            )  # fmt: skip
    return read_input(args.file, args)


def print_coverage(data, lang: str) -> None:
    """What the data can carry: the time of day of the dates and the columns a unit or an
    officer does not record (:mod:`~integrity_signals.resolution`)."""
    from ..resolution import data_coverage

    cases = getattr(data, "first_block", None)
    if cases is None:
        cases = data.cases
    elif len(cases):
        print(say(lang, "coverage_first_block", n=len(cases)))
    if not len(cases):
        return
    for key, status in data_coverage(cases).items():
        kind, _, column = key.partition(":")
        if kind == "resolution":
            print(say(lang, "resolution_line", column=column_label(column, lang),
                      status=resolution_text(status, lang)))  # fmt: skip
        elif kind == "not_applicable":
            print(say(lang, "not_applicable_line", column=column_label(column, lang),
                      status=applicability_text(status, lang)))  # fmt: skip
        elif key == "signal:off_time":
            print(say(lang, "off_hours_not_applicable"))


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
        data = _read_within_memory(args)
    if not args.quiet:
        print_summary(data, args.lang, args.show)
        if not args.catalog:
            print_coverage(data, args.lang)
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
