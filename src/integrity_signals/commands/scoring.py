"""``fit`` (learn baselines from a reference period, save the model) and ``score`` (a batch)."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

from ..atomic import writing_all
from ..exceptions import SchemaError
from ..export import write_to
from ..progress import Progress
from ..pseudonyms import Pseudonymizer, key_source
from ..vocabulary import column_label, coverage_columns, signal_label
from ._shared import (
    EXIT_OK,
    LEVEL_NAMES,
    check_memory,
    check_writable,
    load_model,
    log,
    output_format,
    quarantine,
    read_input_cases,
    sibling,
)
from .messages import say

#: Where ``fit`` writes the model when ``--model`` is not given (ignored by git).
DEFAULT_MODEL = Path("models") / "model.joblib"

#: ``random_state`` of the command line when the configuration does not set one:
#: the same file and configuration give the same model.
DEFAULT_SEED = 0


# --------------------------------------------------------------------------- configuration


def _check_keys(table: dict, known: list[str], where: str, path) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise SchemaError(
                f"Unknown key {key!r} in [{where}] of {str(path)!r}.{hint} "
                f"Known keys: {', '.join(known)}."
            )


def read_config(path) -> tuple[dict, dict]:
    """The ``[model]`` and ``[calendar]`` tables of a TOML configuration, keys checked.

    ``[model]`` keys are :class:`~integrity_signals.RiskModel` parameters,
    ``[calendar]`` keys :class:`~integrity_signals.WorkCalendar` parameters;
    an unknown table or key is an error that names the closest known one.
    Values are checked when the model is fitted.
    """
    from ..calendar import WorkCalendar
    from ..model import RiskModel

    path = Path(path)
    if not path.is_file():
        raise SchemaError(f"Configuration file {str(path)!r} does not exist.")
    try:
        with open(path, "rb") as fh:
            config = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(f"Configuration file {str(path)!r} is not valid TOML: {exc}.") from None
    _check_keys(config, ["model", "calendar"], "top level", path)
    model = config.get("model", {})
    calendar = config.get("calendar", {})
    for name, table in (("model", model), ("calendar", calendar)):
        if not isinstance(table, dict):
            raise SchemaError(f"[{name}] in {str(path)!r} must be a table of keys and values.")
    params = [k for k in RiskModel().get_params() if k != "calendar"]
    if "calendar" in model:
        raise SchemaError(
            f"Set the calendar in a [calendar] table of {str(path)!r}, not as a [model] key."
        )
    _check_keys(model, params, "model", path)
    _check_keys(calendar, list(WorkCalendar().get_params()), "calendar", path)
    if isinstance(calendar.get("office_hours"), list):
        calendar = {**calendar, "office_hours": tuple(calendar["office_hours"])}
    return model, calendar


def model_from_config(path):
    """A RiskModel with the configuration's parameters (the CLI's seed when it sets none)."""
    from ..calendar import WorkCalendar
    from ..model import RiskModel

    params, calendar = read_config(path) if path is not None else ({}, {})
    params = {"random_state": DEFAULT_SEED, **params}
    if calendar:
        params["calendar"] = WorkCalendar(**calendar)
    return RiskModel(**params)


# --------------------------------------------------------------------------- commands


def _not_applicable(model, lang: str) -> dict[str, list[str]]:
    """Signals the data cannot show, by the columns missing ("fee charged": [names...])."""
    out: dict[str, list[str]] = {}
    for key, status in model.coverage_.items():
        columns = coverage_columns(status) if key.startswith("signal:") else None
        if columns is not None:
            missing = ", ".join(column_label(c, lang) for c in columns)
            out.setdefault(missing, []).append(signal_label(key.removeprefix("signal:"), lang))
    return out


def fit(args) -> int:
    from ..catalog import read_catalog

    lang = args.lang
    check_writable("--model", args.model)
    model = model_from_config(args.config)  # a bad configuration fails before any reading
    if args.pseudonymize is not None:
        model.set_params(pseudonymize=args.pseudonymize)
    if key_source(model.pseudonymize) is not None:  # a missing secret fails before any reading
        Pseudonymizer(key_source(model.pseudonymize))
    check_memory(args, args.cases, "fit")
    progress = Progress(3 + bool(args.catalog), quiet=args.quiet, lang=lang)
    data = read_input_cases(args, progress)
    catalog = None
    if args.catalog:
        with progress.step(say(lang, "reading catalog")) as step:
            catalog = read_catalog(args.catalog)
            step.note(say(lang, "catalog_note", n=len(catalog.catalog)))
    if model.calendar is None and getattr(data, "calendar", None) is not None:
        model.set_params(calendar=data.calendar)  # the event-log preset's [calendar]
    with progress.step(say(lang, "fitting")) as step:
        model.fit(data, catalog=catalog)
        step.note(say(lang, "reference_note", n=len(data.cases)))
    with progress.step(say(lang, "saving model")) as step:
        model.save(args.model)
        step.note(str(args.model))
    for columns, signals in _not_applicable(model, lang).items():
        log.info("%s", say(lang, "not_applicable", columns=columns, signals=", ".join(signals)))
    code = quarantine(data, args.model, lang)
    if catalog is not None:
        rejected = quarantine(catalog, args.model, lang, suffix=".catalog-rejects.csv")
        code = max(code, rejected)
    if not args.quiet:
        print(say(lang, "fitted", n=len(data.cases), path=str(args.model)))
        print(say(lang, "fit_next", path=str(args.model)))
    return code


def score(args) -> int:
    lang = args.lang
    fmt = output_format(args.out, args.format, lang)
    check_writable("--out", args.out)
    levels = args.entities or []
    progress = Progress(4 + len(levels), quiet=args.quiet, lang=lang)
    check_memory(args, args.cases, "score")
    # a bad model file (or another than the pinned one) fails before any reading
    model = load_model(args.model, progress, lang, args.model_sha256)
    data = read_input_cases(args, progress)
    with progress.step(say(lang, "scoring")) as step:
        flags = model.score(data, lang=lang, force=args.force)
        n_flagged = int(flags["flagged"].sum())
        step.note(say(lang, "cases_flagged", n=len(flags), k=n_flagged))
    tables = [(flags, Path(args.out), "what_flags", "cases_flagged", n_flagged)]
    for level in levels:
        name = LEVEL_NAMES[level]
        with progress.step(say(lang, f"scoring {name}")) as step:
            entities = model.score_entities(data, level=level, lang=lang, force=args.force)
            n = int(entities["flagged"].sum())
            step.note(say(lang, f"{name}_flagged", n=len(entities), k=n))
        tables.append((entities, sibling(args.out, f".{name}.{fmt}"), f"what_{name}",
                       f"{name}_flagged", n))  # fmt: skip
    # every table is written before any replaces its file: Ctrl-C or a full disk leaves the
    # previous outputs as they were, never a new flags file beside old officers
    with progress.step(say(lang, "writing flags")) as step:
        with writing_all([path for _, path, *_ in tables]) as temps:
            for (table, *_), tmp in zip(tables, temps, strict=True):
                write_to(table, tmp, fmt)
        step.note(str(args.out))
    written = [
        (say(lang, what), path, say(lang, summary, n=len(table), k=k))
        for table, path, what, summary, k in tables
    ]
    code = quarantine(data, args.out, lang)
    if not args.quiet:
        print(say(lang, "scored_with", path=str(args.model), fdr=float(model.fdr)))
        for what, path, summary in written:
            print(say(lang, "written_row", what=what, path=str(path), summary=summary))
    return code or EXIT_OK
