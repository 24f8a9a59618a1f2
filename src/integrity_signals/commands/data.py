"""``validate`` (a case file or catalog against the contract) and ``simulate`` (a province)."""

from __future__ import annotations

from ._shared import EXIT_OK, EXIT_QUARANTINED, read_input, rows_word, sheet


def validate(args) -> int:
    from ..catalog import read_catalog
    from ..exceptions import SchemaError
    from ..export import write_table

    if args.catalog and args.events:
        raise SchemaError("--catalog and --events exclude each other: a catalog is not a log.")
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
    word = rows_word(data) if not args.catalog else "rows"
    if not args.quiet:
        print(data.summary())
        if len(data.rejects):
            shown = data.rejects.head(args.show)
            print(f"first {len(shown)} problems:")
            for r in shown.itertuples(index=False):
                print(f"  {'event' if word == 'events' else 'row'} {r.row}: {r.message}")
    if args.rejects:
        path = write_table(data.rejects, args.rejects)
        if not args.quiet:
            print(f"rejects written to {path}")
    return EXIT_QUARANTINED if data.n_rejected else EXIT_OK


def simulate(args) -> int:
    from ..simulation import simulate, write_simulation

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
        n_corrupt = int(sim.truth["is_corrupt"].sum())
        print(
            f"simulated {len(sim.cases):,} cases in {sim.cases['unit_id'].nunique()} units; "
            f"{n_corrupt:,} corrupt cases ({n_corrupt / max(len(sim.cases), 1):.1%})"
        )
        for kind, path in written.items():
            print(f"{kind} written to {path}")
    return EXIT_OK
