"""The ``integrity-signals`` command line: the parser; the commands are in :mod:`.commands`.

Exit codes: 0 success; 1 the job ran but input rows were quarantined (they
are written next to the output as ``<output stem>.rejects.csv``); 2 bad input
(unusable file, missing column, bad option or configuration) or an unusable
model file; 3 an internal error (a bug: please report it with the
``--debug`` traceback); 130 interrupted. Errors are one line on stderr;
``--debug`` shows the traceback. Progress goes to stderr (a bar on a
terminal, one line per step otherwise, nothing with ``--quiet``), results to
stdout.
"""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
import warnings
from collections.abc import Sequence

from . import __version__
from .commands._shared import EXIT_BAD_INPUT, EXIT_OK, EXIT_QUARANTINED, parse_levels
from .commands.messages import error_text, say, warning_text
from .exceptions import IntegritySignalsError
from .export import FORMATS
from .formatting import LANGS
from .progress import ConsoleHandler

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_QUARANTINED", "main"]

EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

log = logging.getLogger("integrity_signals")

_EXIT_STATUS = (
    "exit status: 0 ok, 1 some input rows quarantined (written to <output stem>.rejects.csv), "
    "2 bad input or model file"
)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


# --------------------------------------------------------------------------- option types


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text}")
    return value


def _memory(text: str) -> int:
    from .resources import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--max-memory ")) from None


# --------------------------------------------------------------------------- option groups


def _memory_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-memory",
        type=_memory,
        metavar="SIZE",
        help="refuse a file whose job would need more memory (e.g. 4G, 500M, 60%%; "
        "default 80%% of the memory available)",
    )


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model-sha256",
        metavar="HEX",
        help="the model file's expected SHA-256 (from model-info or sha256sum): any other file "
        "is refused before it is loaded",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="score a batch unlike the model's reference data anyway (the outputs then say how "
        "it differs)",
    )


def _common(p: argparse.ArgumentParser, lang_help: str = "messages") -> None:
    p.add_argument(
        "--lang",
        choices=LANGS,
        default="en",
        help=f"language of the {lang_help}: en or vi (tiếng Việt); default en",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")


def _reader_options(p: argparse.ArgumentParser, what: str = "the case file") -> None:
    g = p.add_argument_group(f"reading {what}")
    g.add_argument(
        "--columns",
        metavar="MAP",
        help="column map file (.toml or .json) from your headers to canonical names",
    )
    g.add_argument(
        "--monthfirst",
        action="store_true",
        help="read 03/04/2025 as March 4 (default: day first, 3 April)",
    )
    g.add_argument(
        "--encoding", help="CSV encoding (default: from the BOM, else UTF-8; e.g. cp1258)"
    )
    g.add_argument("--delimiter", help="CSV delimiter (default: sniffed from the header)")
    g.add_argument("--sheet", default=0, help="Excel sheet name or 0-based number (default 0)")
    g.add_argument(
        "--tz",
        help="time zone for timestamps with an offset (default Asia/Ho_Chi_Minh, or the "
        "event-log preset's)",
    )
    g.add_argument(
        "--events",
        metavar="PRESET",
        help="the file is an event log (one row per step, CSV or .xes[.gz]): roll it up to "
        "cases with this TOML preset (see examples/presets/)",
    )


def _plan_options(p: argparse.ArgumentParser, *, budget_required: bool) -> None:
    if budget_required:
        p.add_argument(
            "--budget", type=_positive_int, required=True, metavar="N", help="entities to inspect"
        )
    else:
        p.add_argument(
            "--budget",
            type=_positive_int,
            metavar="N",
            help="officers in the inspection plan (default 10, or all if fewer)",
        )
    p.add_argument(
        "--random-share",
        type=_share,
        default=0.1,
        metavar="F",
        help="share of the budget drawn at random, for an unbiased problem rate (default 0.1)",
    )


def _seed_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed of the random draw (default: a fresh one, printed, so that the random "
        "part of the plan cannot be predicted)",
    )


def _parser(sub, name: str, summary: str, description: str, example: str, status=_EXIT_STATUS):
    p = sub.add_parser(
        name,
        help=summary,
        description=textwrap.fill(description, 79),
        epilog=f"example:\n  {example}\n\n{status}",
        formatter_class=_Formatter,
    )
    p.set_defaults(command_parser=p)  # an unknown option is reported with this command's usage
    return p


# --------------------------------------------------------------------------- the parser


def build_parser() -> argparse.ArgumentParser:
    from .commands import data, demo, info, inspection, scoring

    parser = argparse.ArgumentParser(
        prog="integrity-signals",
        description="Ranked, explained risk flags from administrative-procedure records.",
        epilog=(
            "start with:\n  integrity-signals demo\n\n"
            "exit codes: 0 ok, 1 some input rows quarantined, 2 bad input or model file, "
            "3 internal error"
        ),
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    # ---- demo
    p = _parser(
        sub,
        "demo",
        "the whole job on a simulated province: flags, rankings, plan, report, model",
        "Simulate a province with planted schemes, fit a model, score the dossiers, officers and "
        "units, plan inspections and write flags.csv, officers.csv, units.csv, plan.csv, "
        "report.html and model.joblib to DIR; print the top officers with their reasons.",
        "integrity-signals demo --out integrity-demo --cases 50000 --lang vi",
        "exit status: 0 ok, 2 bad option",
    )
    p.add_argument(
        "--out", default="integrity-demo", metavar="DIR", help="folder (default ./integrity-demo/)"
    )
    p.add_argument(
        "--cases", type=_positive_int, default=50_000, metavar="N", help="dossiers (default 50000)"
    )
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    _plan_options(p, budget_required=False)
    _common(p, "messages and the report")
    p.set_defaults(handler=demo.demo)

    # ---- validate
    p = _parser(
        sub,
        "validate",
        "check a case file (or a catalog) against the data contract",
        "Read a case file (CSV, Parquet, .xlsx), map its columns, parse dates and amounts, and "
        "report every row that breaks the contract by reason.",
        "integrity-signals validate examples/data/ho_so_mau.csv --rejects rejects.csv",
        "exit status: 0 all rows valid, 1 some rows quarantined, 2 unusable file",
    )
    p.add_argument("file", help="case file: .csv/.tsv/.txt[.gz], .parquet or .xlsx")
    _reader_options(p, "the file")
    p.add_argument("--rejects", metavar="OUT", help="write the rejects table (.csv/.parquet/.json)")
    p.add_argument("--catalog", action="store_true", help="the file is a procedure catalog")
    p.add_argument(
        "--show", type=int, default=10, metavar="N", help="problems to print (default 10)"
    )
    _memory_option(p)
    _common(p)
    p.set_defaults(handler=data.validate)

    # ---- simulate
    p = _parser(
        sub,
        "simulate",
        "write a simulated province with ground truth",
        "Simulate a province of dossiers with honest confounders and labelled corruption "
        "schemes (see docs/simulation.md), and write the cases, the truth and the catalog.",
        "integrity-signals simulate --cases 50000 --out cases.csv --truth truth.csv "
        "--catalog catalog.csv --vietnamese-headers",
        "exit status: 0 ok, 2 bad option",
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
    p.set_defaults(handler=data.simulate)

    # ---- fit
    p = _parser(
        sub,
        "fit",
        "learn peer baselines from a reference period and save the model",
        "Fit a risk model on a reference period (e.g. a year of dossiers) and save it to one "
        "file. Invalid rows are left out, written to <model stem>.rejects.csv and reported. "
        "Model files run code when loaded: keep them where only you can write.",
        "integrity-signals fit cases_2025.csv --catalog catalog.csv --config models/strict.toml "
        "--model models/province-2025.joblib",
    )
    p.add_argument("cases", metavar="CASES", help="reference cases: .csv[.gz], .parquet or .xlsx")
    p.add_argument("--catalog", metavar="FILE", help="procedure catalog (statutory days, fees)")
    p.add_argument(
        "--config",
        metavar="FILE",
        help="TOML with [model] RiskModel parameters and [calendar] (see models/default.toml)",
    )
    p.add_argument(
        "--model",
        default=str(scoring.DEFAULT_MODEL),
        metavar="OUT",
        help=f"model file to write (default {scoring.DEFAULT_MODEL})",
    )
    p.add_argument(
        "--pseudonymize",
        nargs="?",
        const=True,
        metavar="SOURCE",
        help="keep applicant ids in the model only as keyed hashes (HMAC-SHA256); the secret is "
        "read from env:NAME or file:PATH (default env:INTEGRITY_SIGNALS_KEY) and never saved",
    )
    _memory_option(p)
    _reader_options(p, "CASES")
    _common(p)
    p.set_defaults(handler=scoring.fit)

    # ---- score
    p = _parser(
        sub,
        "score",
        "score a batch of cases with a saved model",
        "Score every case of a batch with a saved model (the baselines of its reference "
        "period): risk score, rank, flagged, reasons. With --entities also officers and units, "
        "written next to the flags as <out stem>.officers.<ext> and <out stem>.units.<ext>.",
        "integrity-signals score cases_2026-01.csv --model models/province-2025.joblib "
        "--out out/flags_2026-01.csv --entities handler_id,unit_id",
    )
    p.add_argument("cases", metavar="CASES", help="cases to score: .csv[.gz], .parquet or .xlsx")
    p.add_argument("--model", required=True, metavar="FILE", help="model file from fit")
    p.add_argument("--out", required=True, metavar="FLAGS", help="case flags file to write")
    p.add_argument(
        "--entities",
        type=parse_levels,
        metavar="handler_id,unit_id",
        help="also rank these levels (officers, units)",
    )
    p.add_argument("--format", choices=FORMATS, help="output format (default: from --out)")
    _model_options(p)
    _memory_option(p)
    _reader_options(p, "CASES")
    _common(p)
    p.set_defaults(handler=scoring.score)

    # ---- plan
    p = _parser(
        sub,
        "plan",
        "pick whom to inspect: the riskiest plus a random share",
        "Select --budget officers (or units) from a ranking written by score or demo: the "
        "riskiest, plus a random share drawn with known inclusion probabilities so that the "
        "inspection outcomes estimate the problem rate of all of them. With --flags, each "
        "planned entity gets its riskiest dossiers to pull.",
        "integrity-signals plan --entities out/flags.officers.csv --flags out/flags.csv "
        "--budget 10 --random-share 0.2 --out plan.csv",
        "exit status: 0 ok, 2 bad input",
    )
    p.add_argument(
        "--entities",
        required=True,
        metavar="FILE",
        help="officers or units file (.csv/.parquet/.json) from score --entities or demo",
    )
    _plan_options(p, budget_required=True)
    p.add_argument(
        "--max-per-unit", type=_positive_int, metavar="N", help="risk-selected per unit at most"
    )
    p.add_argument("--flags", metavar="FILE", help="case flags from score: list dossiers to pull")
    p.add_argument(
        "--dossiers", type=_positive_int, default=5, metavar="N", help="dossiers per entity"
    )
    _seed_option(p)
    p.add_argument("--out", required=True, metavar="PLAN", help="plan file to write")
    p.add_argument("--format", choices=FORMATS, help="output format (default: from --out)")
    _common(p)
    p.set_defaults(handler=inspection.plan)

    # ---- report
    p = _parser(
        sub,
        "report",
        "write the self-contained HTML report of a batch",
        "Score a batch with a saved model and write one HTML file for inspectors: officers and "
        "units ranked with reasons, an inspection plan, charts and the dossiers to pull. It "
        "opens offline and prints.",
        "integrity-signals report cases_2026-01.csv --model models/province-2025.joblib "
        "--out report.html --lang vi",
    )
    p.add_argument("cases", metavar="CASES", help="cases to report on")
    p.add_argument("--model", required=True, metavar="FILE", help="model file from fit")
    p.add_argument("--out", required=True, metavar="FILE", help="HTML file to write")
    _plan_options(p, budget_required=False)
    _seed_option(p)
    _model_options(p)
    _memory_option(p)
    _reader_options(p, "CASES")
    _common(p, "messages and the report")
    p.set_defaults(handler=inspection.report)

    # ---- model-info
    p = _parser(
        sub,
        "model-info",
        "what a model file holds: versions, fit date, rows, columns, ids, SHA-256",
        "Show a model file's metadata without loading it (nothing in it runs): its format and "
        "library versions, when it was fitted and on how many cases, the input columns, the "
        "catalog's hash, whether it holds applicant ids raw (personal data) or as keyed "
        "hashes, and the file's SHA-256 to pin with score --model-sha256.",
        "integrity-signals model-info models/province-2025.joblib",
        "exit status: 0 ok, 2 not a readable model file",
    )
    p.add_argument("file", metavar="FILE", help="model file from fit")
    p.add_argument("--json", action="store_true", help="print the facts as JSON")
    _common(p)
    p.set_defaults(handler=info.model_info)
    return parser


# --------------------------------------------------------------------------- running


def _warning_printer(lang: str):
    """Warnings as one log line: the library's own (UserWarning) for the user, in the command
    line's terms and ``lang``; the rest for --debug."""

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, UserWarning):
            log.warning("%s: %s", say(lang, "warning"), warning_text(message, lang))
        else:
            log.debug("%s: %s (%s:%s)", category.__name__, message, filename, lineno)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    lang = args.lang
    level = logging.DEBUG if args.debug else (logging.ERROR if args.quiet else logging.INFO)
    handler = ConsoleHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False
    prefix = f"integrity-signals {args.command}"
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_printer(lang)
            return args.handler(args)
    except (IntegritySignalsError, OSError, ValueError) as exc:
        if args.debug:
            raise
        message = " ".join(error_text(exc, lang, vars(args)).split())  # one line
        print(f"{prefix}: {say(lang, 'error')}: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"{prefix}: {say(lang, 'interrupted')}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"{prefix}: {say(lang, 'internal')}: {type(exc).__name__}: {exc} "
            "(a bug: rerun with --debug for the traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
