"""``model-info``: what a model file holds, without loading (unpickling) it."""

from __future__ import annotations

import json

from ..formatting import format_number
from .messages import say


def model_info(args) -> int:
    from ..persistence import model_info as read_info

    info = read_info(args.file)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
        return 0
    lang = args.lang
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    ids = info["applicant_ids"]
    ids_key = {"pseudonymised": "info_ids_hashed", "raw": "info_ids_raw", "none": "info_ids_none"}
    rows = [
        ("info_file", f"{info['path']} ({format_number(info['bytes'], lang)} bytes)"),
        ("info_format", info["format"]),
        ("info_versions", versions),
        ("info_fitted", f"{str(info['fitted_at']).removesuffix('+00:00')} UTC"),
        ("info_rows", format_number(info["training_rows"] or 0, lang)),
        ("info_columns", ", ".join(info["columns"])),
        ("info_catalog", info["catalog_sha256"] or say(lang, "info_no_catalog")),
        ("info_ids", say(lang, ids_key.get(ids, "info_ids_unknown"))),
        ("info_sha256", info["sha256"]),
    ]
    width = max(len(say(lang, key)) for key, _ in rows)
    for key, value in rows:
        print(f"{say(lang, key):<{width}}  {value}")
    print(say(lang, "info_pin", sha=info["sha256"]))
    return 0
