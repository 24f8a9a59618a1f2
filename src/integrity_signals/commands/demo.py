"""``demo``: the whole job on a simulated province, from dossiers to an inspection plan."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ..export import write_table
from ..formatting import format_number
from ..progress import Progress
from ._shared import EXIT_OK, as_text, check_writable
from .inspection import assess
from .messages import say

#: What the demo writes, and the message key saying what each file is for.
FILES = {
    "flags.csv": "file_flags",
    "officers.csv": "file_officers",
    "units.csv": "file_units",
    "plan.csv": "file_plan",
    "report.html": "file_report",
    "model.joblib": "file_model",
}

_TOP = 5  # officers printed

#: The simulator's schemes (DESIGN §1) as a Vietnamese inspector names them.
SCHEMES_VI = {
    "broker_fast_track": "cò hồ sơ, xử lý nhanh",
    "harassment": "sách nhiễu, gây phiền hà",
    "overcharging": "thu sai phí, lệ phí",
    "waiver_favour": "miễn phí sai",
    "off_book": "xử lý ngoài giờ, ngoài sổ sách",
    "receiver_is_processor": "vừa tiếp nhận vừa xử lý",
    "speed_money": "nhận tiền bôi trơn để trả kết quả nhanh",
}


def _print_top(officers, truth, n_top: int, lang: str) -> None:
    schemes = dict(zip(truth["handler_id"], truth["scheme"], strict=True))
    print(say(lang, "top_officers", k=int(officers["flagged"].sum()), n=len(officers)))
    for row in officers.head(n_top).itertuples(index=False):
        scheme = schemes.get(row.handler_id, "none")
        name = SCHEMES_VI.get(scheme, scheme) if lang == "vi" else scheme
        planted = say(lang, "no_scheme") if scheme == "none" else say(lang, "planted", scheme=name)
        print(
            say(lang, "officer_line", rank=str(row.rank), officer=row.handler_id, unit=row.unit_id,
                score=format_number(row.risk_score, lang, 1), n=row.n_cases,
                k=row.n_flagged_cases, planted=planted)
        )  # fmt: skip
        for reason in as_text(row.reasons).split("; "):
            if reason:
                print(
                    textwrap.fill(reason, 96, initial_indent="     - ", subsequent_indent="       ")
                )
    corrupt = set(truth.loc[truth["corrupt"], "handler_id"])
    flagged = set(officers.loc[officers["flagged"], "handler_id"])
    print(
        say(lang, "truth", corrupt=len(corrupt), found=len(corrupt & flagged),
            false=len(flagged - corrupt))
    )  # fmt: skip


def demo(args) -> int:
    from ..model import RiskModel
    from ..report import write_report
    from ..simulation import simulate
    from ..validation import validate_cases

    lang = args.lang
    out = Path(args.out)
    check_writable("--out", out, folder=True)  # before a minute of work, not after
    progress = Progress(8, quiet=args.quiet, lang=lang)
    with progress.step(say(lang, "simulating a province")) as step:
        sim = simulate(args.cases, random_state=args.seed)
        data = validate_cases(sim.cases)
        step.note(
            say(lang, "province_note", n=len(sim.cases), units=sim.cases["unit_id"].nunique(),
                officers=len(sim.entity_truth))
        )  # fmt: skip
    with progress.step(say(lang, "fitting")) as step:
        model = RiskModel(random_state=args.seed).fit(data, catalog=sim.catalog)
        step.note(say(lang, "reference_note", n=len(data.cases)))
    flags, officers, units, plan = assess(
        model,
        data,
        progress,
        budget=args.budget,
        random_share=args.random_share,
        random_state=args.seed,
        lang=lang,
    )
    with progress.step(say(lang, "writing tables")) as step:
        for name, table in (
            ("flags.csv", flags),
            ("officers.csv", officers),
            ("units.csv", units),
            ("plan.csv", plan),
        ):
            write_table(table, out / name)
        step.note(f"{out}")
    with progress.step(say(lang, "writing report")) as step:
        write_report(
            out / "report.html",
            model=model,
            data=data,
            flags=flags,
            officers=officers,
            units=units,
            plan=plan,
            lang=lang,
        )
        step.note(str(out / "report.html"))
    with progress.step(say(lang, "saving model")) as step:
        model.save(out / "model.joblib")
        step.note(str(out / "model.joblib"))
    if not args.quiet:
        _print_top(officers, sim.entity_truth, _TOP, lang)
        folder = f"{out}{'/' if not str(out).endswith('/') else ''}"
        print("\n" + say(lang, "files_in", folder=folder))
        for name, key in FILES.items():
            print(f"  {name:<13} {say(lang, key)}")
        print(
            "\n" + say(lang, "next") + "\n"
            f"  integrity-signals simulate --cases {args.cases} --seed {args.seed} --out cases.csv\n"
            f"  integrity-signals score cases.csv --model {out / 'model.joblib'} --out flags.csv "
            "--entities handler_id,unit_id"
        )
    return EXIT_OK
