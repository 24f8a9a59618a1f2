"""The ``integrity-signals`` command line.

Exit codes: 0 success; 1 the job ran but input rows were quarantined; 2 bad
input (unusable file, missing column, bad option) or an unusable model file.
Errors are one line on stderr; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from . import __version__
from .exceptions import IntegritySignalsError

__all__ = ["EXIT_BAD_INPUT", "EXIT_OK", "EXIT_QUARANTINED", "main"]

EXIT_OK = 0
EXIT_QUARANTINED = 1
EXIT_BAD_INPUT = 2

log = logging.getLogger("integrity_signals")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")


def _reader_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--columns",
        metavar="MAP",
        help="column map file (.toml or .json) from your headers to canonical names",
    )
    p.add_argument(
        "--monthfirst",
        action="store_true",
        help="read 03/04/2025 as March 4 (default: day first, 3 April)",
    )
    p.add_argument(
        "--encoding", help="CSV encoding (default: from the BOM, else UTF-8; e.g. cp1258)"
    )
    p.add_argument("--delimiter", help="CSV delimiter (default: sniffed from the header)")
    p.add_argument("--sheet", default=0, help="Excel sheet name or 0-based number (default 0)")
    p.add_argument(
        "--tz", default="Asia/Ho_Chi_Minh", help="time zone for timestamps with an offset"
    )


def _sheet(value):
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _cmd_validate(args) -> int:
    from .catalog import read_catalog
    from .export import write_table
    from .io import read_cases

    if args.catalog:
        data = read_catalog(
            args.file,
            args.columns,
            encoding=args.encoding,
            delimiter=args.delimiter,
            sheet_name=_sheet(args.sheet),
        )
    else:
        data = read_cases(
            args.file,
            args.columns,
            dayfirst=not args.monthfirst,
            tz=args.tz,
            encoding=args.encoding,
            delimiter=args.delimiter,
            sheet_name=_sheet(args.sheet),
        )
    if not args.quiet:
        print(data.summary())
        if len(data.rejects):
            shown = data.rejects.head(args.show)
            print(f"first {len(shown)} problems:")
            for r in shown.itertuples(index=False):
                print(f"  row {r.row}: {r.message}")
    if args.rejects:
        path = write_table(data.rejects, args.rejects)
        if not args.quiet:
            print(f"rejects written to {path}")
    return EXIT_QUARANTINED if data.n_rejected else EXIT_OK


def _cmd_simulate(args) -> int:
    from .simulation import simulate, write_simulation

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


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="integrity-signals",
        description="Ranked, explained risk flags from administrative-procedure records.",
        epilog="Exit codes: 0 ok, 1 some input rows quarantined, 2 bad input or model file.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "validate",
        help="check a case file (or a catalog) against the data contract",
        description=(
            "Read a case file (CSV, Parquet, .xlsx), map its columns, parse dates and amounts, and "
            "report every row that breaks the contract by reason."
        ),
        epilog=(
            "example:\n  integrity-signals validate examples/data/ho_so_mau.csv "
            "--rejects rejects.csv\n\nexit status: 0 all rows valid, 1 some rows quarantined, "
            "2 unusable file"
        ),
        formatter_class=_Formatter,
    )
    p.add_argument("file", help="case file: .csv/.tsv/.txt[.gz], .parquet or .xlsx")
    _reader_options(p)
    p.add_argument("--rejects", metavar="OUT", help="write the rejects table (.csv/.parquet/.json)")
    p.add_argument("--catalog", action="store_true", help="the file is a procedure catalog")
    p.add_argument(
        "--show", type=int, default=10, metavar="N", help="problems to print (default 10)"
    )
    _common(p)
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser(
        "simulate",
        help="write a simulated province with ground truth",
        description=(
            "Simulate a province of dossiers with honest confounders and labelled corruption "
            "schemes (see docs/simulation.md), and write the cases, the truth and the catalog."
        ),
        epilog=(
            "example:\n  integrity-signals simulate --cases 50000 --out cases.csv "
            "--truth truth.csv --catalog catalog.csv --vietnamese-headers"
        ),
        formatter_class=_Formatter,
    )
    p.add_argument("--cases", type=_positive_int, default=50_000, help="number of dossiers")
    p.add_argument("--units", type=_positive_int, help="number of communes / wards")
    p.add_argument("--months", type=_positive_int, default=12, help="months covered (default 12)")
    p.add_argument(
        "--corruption", type=float, default=1.0, help="scheme intensity multiplier; 0 = honest"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", required=True, help="cases file (.csv or .parquet)")
    p.add_argument("--truth", help="ground-truth file: case_id, is_corrupt, scheme")
    p.add_argument("--catalog", help="procedure catalog file")
    p.add_argument("--format", choices=("csv", "parquet"), help="default: from the extension")
    p.add_argument(
        "--vietnamese-headers",
        action="store_true",
        help="Vietnamese headers, dd/mm/yyyy dates and 1.500.000 amounts, like a real export",
    )
    _common(p)
    p.set_defaults(handler=_cmd_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.debug else (logging.ERROR if args.quiet else logging.INFO)
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    try:
        return args.handler(args)
    except (IntegritySignalsError, OSError, ValueError) as exc:
        if args.debug:
            raise
        print(f"integrity-signals {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
