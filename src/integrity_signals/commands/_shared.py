"""What the subcommands share: exit codes, reading cases with the reader options,
quarantined rows, model files, reading back the tables the CLI writes."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import tempfile
from pathlib import Path

import pandas as pd

from ..exceptions import IntegritySignalsError, SchemaError
from ..export import format_of, write_table
from ..formatting import format_datetime
from .messages import reasons_text, say

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
        raise SchemaError(say(args.lang, "columns_with_events"))
    return read_event_log(
        path,
        events,
        tz=args.tz,
        dayfirst=False if args.monthfirst else None,
        encoding=args.encoding,
        delimiter=args.delimiter,
    )


def is_event_log(data) -> bool:
    """Whether ``data`` was rolled up from an event log (its counts are events, not rows)."""
    return hasattr(data, "n_events_in_cases")


def read_input_cases(args, progress):
    """Read and validate the CASES file (or the ``--events`` log) with the reader options, as
    one progress step."""
    path, lang = args.cases, args.lang
    with progress.step(say(lang, "reading cases")) as step:
        data = read_input(path, args)
        events = is_event_log(data)
        key = "n_events" if events else "n_rows"
        if data.n_rejected:
            key += "_quarantined"
        step.note(say(lang, key, n=data.n_input, k=data.n_rejected, cases=len(data.cases)))
    if len(data.cases) == 0:
        if events:
            raise SchemaError(
                say(lang, "no_valid_events", path=str(path), preset=str(args.events),
                    k=data.n_rejected, n=data.n_input)
            )  # fmt: skip
        raise SchemaError(
            say(lang, "no_valid_rows", path=str(path), k=data.n_rejected, n=data.n_input)
        )
    return data


def check_writable(option: str, path, *, folder: bool = False) -> None:
    """Fail at once, before any work, when ``path`` (a file, or a folder with ``folder``)
    cannot be written: the nearest existing folder must take a new file."""
    path = Path(path)
    target = path if folder else path.parent
    if not folder and path.is_dir():
        raise _not_writable(option, path, path, "why_is_folder")
    base = target
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise _not_writable(option, path, base, "why_not_folder")
    try:
        fd, probe = tempfile.mkstemp(dir=base, prefix=".integrity-signals-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _not_writable(option, path, base, "why_readonly", exc.strerror or str(exc)) from None
    if not folder and path.exists() and not os.access(path, os.W_OK):
        raise _not_writable(option, path, base, "why_readonly", "the file is read-only")


def _not_writable(option, path, folder, why, detail="") -> IntegritySignalsError:
    params = {"option": option, "path": str(path), "folder": str(folder), "why": why,
              "detail": detail}  # fmt: skip
    reason = say("en", why, detail=detail)
    text = say("en", "not_writable", option=option, path=str(path), folder=str(folder), why=reason)
    return IntegritySignalsError(text, code="output_not_writable", params=params)


def sibling(path, suffix: str) -> Path:
    """``flags.csv`` + ``.rejects.csv`` -> ``flags.rejects.csv`` (same folder)."""
    path = Path(path)
    return path.with_name(path.stem + suffix)


def quarantine(data, main_output, lang: str = "en", *, suffix: str = ".rejects.csv") -> int:
    """Write the rejected rows (or events) next to the main output and say so; the exit code
    to return."""
    if not data.n_rejected:
        return EXIT_OK
    path = write_table(data.rejects, sibling(main_output, suffix))
    reasons = data.rejects.drop_duplicates("row")["reason"].astype(str).value_counts()
    key = "quarantined_events" if is_event_log(data) else "quarantined"
    log.warning(
        "%s",
        say(lang, key, n=data.n_rejected, total=data.n_input,
            reasons=reasons_text(reasons, lang), path=str(path)),
    )  # fmt: skip
    return EXIT_QUARANTINED


def output_format(path, fmt: str | None, lang: str = "en") -> str:
    """``--format``, else from ``--out``'s extension; an explicit clash is an error."""
    implied = format_of(path)
    if fmt is not None and Path(path).suffix.lower() in _SUFFIXES and implied != fmt:
        raise SchemaError(
            say(lang, "format_mismatch", fmt=fmt, path=repr(str(path)), implied=implied)
        )
    return format_of(path, fmt)


def load_model(path, progress, lang: str = "en", sha256: str | None = None):
    """Load a saved RiskModel as one progress step (ModelFileError on a bad file, or on another
    file than the pinned ``sha256``)."""
    from ..model import RiskModel

    with progress.step(say(lang, "loading model")) as step:
        model = RiskModel.load(path, sha256=sha256)
        when = f"{format_datetime(pd.Timestamp(model.fitted_at_), lang)} UTC"
        step.note(say(lang, "model_note", path=str(path), when=when, n=model.n_reference_))
    return model


def read_table(path) -> pd.DataFrame:
    """A table written by ``write_table`` (CSV with or without BOM, Parquet, JSON records)."""
    path = Path(path)
    if not path.is_file():
        raise SchemaError(
            f"File {str(path)!r} does not exist.", code="file_missing", params={"path": str(path)}
        )
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
    log.info("%s", say(args.lang, "seed_drawn", seed=str(value)))
    return value


def as_text(value) -> str:
    """A cell as text; missing -> ""."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def check_memory(args, path, job: str) -> None:
    """Refuse, before reading, a case file whose ``job`` would need more than ``--max-memory``
    (an event log's rows are events, not cases: not estimated)."""
    from ..resources import check_memory as check

    if getattr(args, "events", None) is None and Path(path).is_file():
        check(path, job, getattr(args, "max_memory", None))
