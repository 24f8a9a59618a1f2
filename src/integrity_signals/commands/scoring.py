"""``fit`` (learn baselines from a reference period, save the model) and ``score`` (a batch)."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

from ..exceptions import SchemaError
from ..export import write_table
from ..progress import Progress
from ._shared import (
    EXIT_OK,
    LEVEL_NAMES,
    load_model,
    log,
    output_format,
    quarantine,
    read_input_cases,
    rows_word,
    sibling,
)

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


def _not_applicable(model) -> dict[str, list[str]]:
    """Signals the data cannot show, by reason ("no fee_charged": [excess_fee, ...])."""
    out: dict[str, list[str]] = {}
    for key, status in model.coverage_.items():
        if key.startswith("signal:") and status != "ok":
            reason = status.removeprefix("not applicable: ")
            out.setdefault(reason, []).append(key.removeprefix("signal:"))
    return out


def fit(args) -> int:
    from ..catalog import read_catalog

    model = model_from_config(args.config)  # a bad configuration fails before any reading
    progress = Progress(3 + bool(args.catalog), quiet=args.quiet)
    data = read_input_cases(args, progress)
    catalog = None
    if args.catalog:
        with progress.step("reading catalog") as step:
            catalog = read_catalog(args.catalog)
            step.note(f"{len(catalog.catalog):,} procedure rows")
    if model.calendar is None and getattr(data, "calendar", None) is not None:
        model.set_params(calendar=data.calendar)  # the event-log preset's [calendar]
    with progress.step("fitting") as step:
        model.fit(data, catalog=catalog)
        step.note(f"{len(data.cases):,} reference cases")
    with progress.step("saving model") as step:
        model.save(args.model)
        step.note(str(args.model))
    for reason, signals in _not_applicable(model).items():
        log.info("not applicable (%s): %s", reason, ", ".join(signals))
    code = quarantine(data, args.model, what="case rows" if rows_word(data) == "rows" else "events")
    if catalog is not None:
        rejected = quarantine(
            catalog, args.model, what="catalog rows", suffix=".catalog-rejects.csv"
        )
        code = max(code, rejected)
    if not args.quiet:
        print(f"model fitted on {len(data.cases):,} cases, written to {args.model}")
        print(
            f"score a batch with: integrity-signals score CASES --model {args.model} --out flags.csv"
        )
    return code


def score(args) -> int:
    fmt = output_format(args.out, args.format)
    levels = args.entities or []
    progress = Progress(4 + len(levels), quiet=args.quiet)
    model = load_model(args.model, progress)  # a bad model file fails before any reading
    data = read_input_cases(args, progress)
    with progress.step("scoring") as step:
        flags = model.score(data)
        n_flagged = int(flags["flagged"].sum())
        step.note(f"{len(flags):,} cases, {n_flagged:,} flagged")
    with progress.step("writing flags") as step:
        path = write_table(flags, args.out, fmt)
        step.note(str(path))
    written = [("flags", path, f"{len(flags):,} cases, {n_flagged:,} flagged")]
    for level in levels:
        name = LEVEL_NAMES[level]
        with progress.step(f"scoring {name}") as step:
            entities = model.score_entities(data, level=level)
            n = int(entities["flagged"].sum())
            step.note(f"{len(entities):,} {name}, {n:,} flagged")
        path = write_table(entities, sibling(args.out, f".{name}.{fmt}"), fmt)
        written.append((name, path, f"{len(entities):,} {name}, {n:,} flagged"))
    code = quarantine(data, args.out, what=rows_word(data))
    if not args.quiet:
        print(f"scored with {args.model} (flagged: q-value <= {model.fdr:g})")
        for what, path, summary in written:
            print(f"{what:<9} {path}  ({summary})")
    return code or EXIT_OK
