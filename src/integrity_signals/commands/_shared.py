"""What the subcommands share: exit codes, reading cases with the reader options,
quarantined rows, model files, reading back the tables the CLI writes."""

from __future__ import annotations

import argparse
import logging
import secrets
from pathlib import Path

import pandas as pd

from ..exceptions import SchemaError
from ..export import format_of, write_table

log = logging.getLogger("integrity_signals")

EXIT_OK = 0
EXIT_QUARANTINED = 1
EXIT_BAD_INPUT = 2

#: Entity level -> the word used in file names and messages.
LEVEL_NAMES = {"handler_id": "officers", "unit_id": "units"}

_SUFFIXES = (".csv", ".parquet", ".pq", ".json")

#: Columns read back as text whatever they look like ("001" stays "001").
_TEXT_COLUMNS = ("case_id", "handler_id", "unit_id", "procedure_id", "reasons", "dossiers")


def parse_levels(text: str) -> list[str]:
    """``--entities handler_id,unit_id`` (also accepts ``officers`` and ``units``)."""
    aliases = {name: level for level, name in LEVEL_NAMES.items()}
    levels = []
    for item in (part.strip() for part in text.split(",")):
        level = aliases.get(item, item)
        if level not in LEVEL_NAMES:
            raise argparse.ArgumentTypeError(
                f"expected handler_id and/or unit_id separated by a comma, got {item!r}"
            )
        if level not in levels:
            levels.append(level)
    return levels


def sheet(value):
    """``--sheet``: a 0-based number or a sheet name."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


#: Time zone of the case readers when ``--tz`` is not given.
DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def reader_options(args) -> dict:
    """The reader options of a command as keyword arguments of ``read_cases``."""
    return {
        "dayfirst": not args.monthfirst,
        "tz": args.tz or DEFAULT_TZ,
        "encoding": args.encoding,
        "delimiter": args.delimiter,
        "sheet_name": sheet(args.sheet),
    }


def read_input(path, args):
    """A case file, or with ``--events PRESET`` an event log rolled up to cases.

    For an event log the preset sets the time zone, day order, encoding and
    delimiter; ``--tz``, ``--monthfirst``, ``--encoding`` and ``--delimiter``
    override it when given.
    """
    events = getattr(args, "events", None)
    if events is None:
        from ..io import read_cases

        return read_cases(path, args.columns, **reader_options(args))
    from ..eventlog import read_event_log

    if args.columns:
        raise SchemaError(
            "--columns maps the headers of a case file; with --events the preset's [events] and "
            "[case_attributes] tables name the event columns. Leave out one of the two."
        )
    return read_event_log(
        path,
        events,
        tz=args.tz,
        dayfirst=False if args.monthfirst else None,
        encoding=args.encoding,
        delimiter=args.delimiter,
    )


def rows_word(data) -> str:
    """What the input counts: events for an event log, rows for a case file."""
    return "events" if hasattr(data, "n_events_in_cases") else "rows"


def read_input_cases(args, progress):
    """Read and validate the CASES file with the reader options, as one progress step."""
    path = args.cases
    with progress.step("reading cases") as step:
        data = read_input(path, args)
        quarantined = f", {data.n_rejected:,} quarantined" if data.n_rejected else ""
        cases = f" in {len(data.cases):,} cases" if rows_word(data) == "events" else ""
        step.note(f"{data.n_input:,} {rows_word(data)}{cases}{quarantined}")
    if len(data.cases) == 0:
        raise SchemaError(
            f"No valid rows in {str(path)!r} ({data.n_rejected:,} of {data.n_input:,} rejected). "
            f"Check them with: integrity-signals validate {path} --rejects rejects.csv"
        )
    return data


def sibling(path, suffix: str) -> Path:
    """``flags.csv`` + ``.rejects.csv`` -> ``flags.rejects.csv`` (same folder)."""
    path = Path(path)
    return path.with_name(path.stem + suffix)


def quarantine(data, main_output, *, what: str = "rows", suffix: str = ".rejects.csv") -> int:
    """Write the rejected rows next to the main output and say so; the exit code to return."""
    if not data.n_rejected:
        return EXIT_OK
    path = write_table(data.rejects, sibling(main_output, suffix))
    reasons = data.rejects.drop_duplicates("row")["reason"].value_counts()
    by_reason = ", ".join(f"{n:,} {reason}" for reason, n in reasons.items())
    log.warning(
        "%s of %s %s quarantined (%s); listed in %s",
        f"{data.n_rejected:,}",
        f"{data.n_input:,}",
        what,
        by_reason,
        path,
    )
    return EXIT_QUARANTINED


def output_format(path, fmt: str | None) -> str:
    """``--format``, else from ``--out``'s extension; an explicit clash is an error."""
    implied = format_of(path)
    if fmt is not None and Path(path).suffix.lower() in _SUFFIXES and implied != fmt:
        raise SchemaError(
            f"--format {fmt} does not match the extension of {str(path)!r} ({implied}). "
            "Change the extension or leave out --format."
        )
    return format_of(path, fmt)


def load_model(path, progress):
    """Load a saved RiskModel as one progress step (ModelFileError on a bad file)."""
    from ..model import RiskModel

    with progress.step("loading model") as step:
        model = RiskModel.load(path)
        step.note(f"{path} (fitted {model.fitted_at_} on {model.n_reference_:,} cases)")
    return model


def read_table(path) -> pd.DataFrame:
    """A table written by ``write_table`` (CSV with or without BOM, Parquet, JSON records)."""
    path = Path(path)
    if not path.is_file():
        raise SchemaError(f"File {str(path)!r} does not exist.")
    fmt = format_of(path)
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "json":
        return pd.read_json(path, orient="records", dtype=dict.fromkeys(_TEXT_COLUMNS, "str"))
    import pyarrow as pa
    import pyarrow.csv as pacsv

    # strings never become missing (an officer called "NA" stays "NA"); ids stay text
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(_TEXT_COLUMNS, pa.string()))
    return pacsv.read_csv(path, convert_options=convert).to_pandas()


def seed(args) -> int:
    """``--seed``, or a fresh one: a plan's random part must not be predictable in advance."""
    if args.seed is not None:
        return args.seed
    value = secrets.randbelow(2**31)
    log.info("random draw: seed %d (pass --seed %d to repeat this plan)", value, value)
    return value


def as_text(value) -> str:
    """A cell as text; missing -> ""."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
