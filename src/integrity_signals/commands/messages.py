"""What the command line says, in English and Vietnamese (``--lang``), in its own terms.

The library's errors and warnings speak Python (``columns={...}``,
``random_share=0``) and carry their facts as data (``code``, ``params``);
:func:`error_text` and :func:`warning_text` write them here as a command-line
user reads them (``--columns map.toml``, ``--random-share 0``), numbers the
reader's way. :func:`say` writes the command line's own lines.
"""

from __future__ import annotations

import numbers
import shlex
from pathlib import Path

from ..formatting import format_number, format_value
from ..vocabulary import column_label, reject_label

__all__ = [
    "applicability_text",
    "error_text",
    "reasons_text",
    "reject_text",
    "resolution_text",
    "say",
    "warning_text",
]

MESSAGES = {
    "en": {
        "error": "error",
        "internal": "internal error",
        "interrupted": "interrupted",
        "warning": "warning",
        # steps and their notes
        "reading cases": "reading cases",
        "reading catalog": "reading catalog",
        "loading model": "loading model",
        "fitting": "fitting",
        "saving model": "saving model",
        "scoring": "scoring",
        "scoring cases": "scoring cases",
        "scoring officers": "scoring officers",
        "scoring units": "scoring units",
        "scoring officers and units": "scoring officers and units",
        "writing flags": "writing flags",
        "writing tables": "writing tables",
        "writing report": "writing report",
        "writing plan": "writing plan",
        "reading entities": "reading entities",
        "reading flags": "reading flags",
        "planning": "planning",
        "planning inspections": "planning inspections",
        "simulating a province": "simulating a province",
        "n_rows": "{n} rows",
        "n_rows_quarantined": "{n} rows, {k} quarantined",
        "n_events": "{n} events in {cases} cases",
        "n_events_quarantined": "{n} events in {cases} cases, {k} quarantined",
        "model_note": "{path} (fitted {when} on {n} cases)",
        "catalog_note": "{n} procedure rows",
        "reference_note": "{n} reference cases",
        "cases_flagged": "{n} cases, {k} flagged",
        "officers_flagged": "{n} officers, {k} flagged",
        "units_flagged": "{n} units, {k} flagged",
        "selected_note": "{k} of {n} selected",
        "n_officers": "{n} officers",
        "entities_flagged": "{k} of {n} officers and {ku} of {nu} units flagged",
        "province_note": "{n} dossiers, {units} units, {officers} officers",
        # outcomes
        "quarantined": "{n} of {total} rows quarantined ({reasons}); listed in {path}",
        "quarantined_events": "{n} of {total} events quarantined ({reasons}); listed in {path}",
        "no_valid_rows": (
            "No valid rows in {path} ({k} of {n} rejected). Check them with: "
            "integrity-signals validate {path} --rejects rejects.csv"
        ),
        "no_valid_events": (
            "No valid case in {path} ({k} of {n} events rejected). Check them with: "
            "integrity-signals validate {path} --events {preset} --rejects rejects.csv"
        ),
        "seed_drawn": "random draw: seed {seed} (pass --seed {seed} to repeat this plan)",
        "not_applicable": "not applicable (no column {columns}): {signals}",
        "fitted": "model fitted on {n} cases, written to {path}",
        "fit_next": "score a batch with: integrity-signals score CASES --model {path} --out flags.csv",
        "scored_with": "scored with {path} (flagged: q-value <= {fdr})",
        "written_row": "{what:<9} {path}  ({summary})",
        "what_flags": "flags",
        "what_officers": "officers",
        "what_units": "units",
        "plan_head": "inspection plan: {n} {level}, {k} by risk, {r} at random",
        "plan_columns": "#|officer|unit|selected|score|strongest reason",
        "by_risk": "risk",
        "by_random": "random",
        "level_officers": "officers",
        "level_units": "units",
        "plan_written": "plan written to {path}",
        "report_written": "report written to {path}",
        "rejects_written": "rejects written to {path}",
        "summary": "{source}: {n} rows in, {valid} valid, {rejected} rejected",
        "by_reason": "rejected rows by reason (a row may have several):",
        "summary_events": (
            "{source}: {n} events in, {valid} in {cases} cases ({open} open), {rejected} rejected"
        ),
        "by_reason_events": "rejected events by reason (an event may have several):",
        "mapped": "columns mapped: {pairs}",
        "problems": "first {n} problems:",
        "problem": "  row {row}: {message}",
        "problem_event": "  event {row}: {message}",
        "simulated": "simulated {n} cases in {units} units; {corrupt} corrupt cases ({share})",
        "sim_written": "{kind} written to {path}",
        "top_officers": "Top officers ({k} of {n} flagged):",
        "officer_line": "{rank:>3}. {officer} (unit {unit})  risk {score}, {n} dossiers, {k} flagged  [{planted}]",
        "no_scheme": "no scheme planted",
        "planted": "planted scheme: {scheme}",
        "truth": (
            "Simulation truth: {corrupt} officers run a scheme; {found} of them are flagged; "
            "{false} flagged run none."
        ),
        "files_in": "Files in {folder}:",
        "file_flags": "every dossier, riskiest first, with its reasons",
        "file_officers": "officers ranked, with reasons and the counts behind them",
        "file_units": "communes / wards ranked",
        "file_plan": "whom to inspect (riskiest plus a random share) and the dossiers to pull",
        "file_report": "the report for inspectors: open it in a browser",
        "file_model": "the fitted model, to score new batches",
        "next": "Next: the same cases as a file, then score them with the saved model:",
        # errors the command line finds itself
        "not_writable": (
            "cannot write {option} {path}: the folder {folder} {why}. Choose a folder you can "
            "write to."
        ),
        "why_readonly": "is read-only or not yours ({detail})",
        "why_not_folder": "is not a folder",
        "why_is_folder": "is a folder, not a file",
        "format_mismatch": (
            "--format {fmt} does not match the extension of {path} ({implied}). Change the "
            "extension or leave out --format."
        ),
        "columns_with_events": (
            "--columns maps the headers of a case file; with --events the preset's [events] and "
            "[case_attributes] tables name the event columns. Leave out one of the two."
        ),
        "catalog_with_events": "--catalog and --events exclude each other: a catalog is not a log.",
        # reliability: what the data carries, model files, memory
        "reading_in_chunks": "{path} is larger than the memory allowed: validated block by block",
        "coverage_first_block": "what the data carries, read on the first {n} valid rows:",
        "resolution_line": "time of day in {column}: {status}",
        "not_applicable_line": "{column} not applicable (not recorded) {status}: not used there",
        "off_hours_not_applicable": (
            "no completion carries a real time of day: off-hours work is not assessed "
            "(working-day and holiday completions still are)"
        ),
        "info_file": "file",
        "info_format": "format",
        "info_versions": "saved with",
        "info_fitted": "fitted",
        "info_rows": "reference cases",
        "info_columns": "input columns",
        "info_catalog": "catalog SHA-256",
        "info_no_catalog": "(fitted without a catalog)",
        "info_ids": "applicant ids",
        "info_ids_hashed": "pseudonymised: keyed HMAC-SHA256 hashes only (scoring needs the secret)",
        "info_ids_raw": "RAW: the file holds applicant ids as in the data (personal data; see --pseudonymize)",
        "info_ids_none": "none (fitted without applicant ids)",
        "info_ids_unknown": "unknown (saved by an older version): treat the file as personal data",
        "info_sha256": "SHA-256",
        "info_pin": "pin this file with: --model-sha256 {sha}",
        "forced": "scored with --force although the batch differs from the model's fit: {what}",
    },
    "vi": {
        "error": "lỗi",
        "internal": "lỗi nội bộ",
        "interrupted": "đã dừng",
        "warning": "cảnh báo",
        "reading cases": "đọc hồ sơ",
        "reading catalog": "đọc danh mục thủ tục",
        "loading model": "nạp mô hình",
        "fitting": "huấn luyện",
        "saving model": "lưu mô hình",
        "scoring": "chấm điểm",
        "scoring cases": "chấm điểm hồ sơ",
        "scoring officers": "chấm điểm cán bộ",
        "scoring units": "chấm điểm đơn vị",
        "scoring officers and units": "chấm điểm cán bộ và đơn vị",
        "writing flags": "ghi bảng gắn cờ",
        "writing tables": "ghi các bảng",
        "writing report": "ghi báo cáo",
        "writing plan": "ghi kế hoạch",
        "reading entities": "đọc bảng xếp hạng",
        "reading flags": "đọc bảng gắn cờ",
        "planning": "lập kế hoạch",
        "planning inspections": "lập kế hoạch thanh tra",
        "simulating a province": "mô phỏng một tỉnh",
        "n_rows": "{n} dòng",
        "n_rows_quarantined": "{n} dòng, {k} bị loại",
        "n_events": "{n} sự kiện trong {cases} hồ sơ",
        "n_events_quarantined": "{n} sự kiện trong {cases} hồ sơ, {k} bị loại",
        "model_note": "{path} (huấn luyện lúc {when} trên {n} hồ sơ)",
        "catalog_note": "{n} dòng thủ tục",
        "reference_note": "{n} hồ sơ tham chiếu",
        "cases_flagged": "{n} hồ sơ, {k} bị gắn cờ",
        "officers_flagged": "{n} cán bộ, {k} bị gắn cờ",
        "units_flagged": "{n} đơn vị, {k} bị gắn cờ",
        "selected_note": "chọn {k} trên {n}",
        "n_officers": "{n} cán bộ",
        "entities_flagged": "{k} trên {n} cán bộ và {ku} trên {nu} đơn vị bị gắn cờ",
        "province_note": "{n} hồ sơ, {units} đơn vị, {officers} cán bộ",
        "quarantined": "{n} trên {total} dòng bị loại ({reasons}); danh sách trong {path}",
        "quarantined_events": (
            "{n} trên {total} sự kiện bị loại ({reasons}); danh sách trong {path}"
        ),
        "no_valid_rows": (
            "Không có dòng hợp lệ nào trong {path} ({k} trên {n} dòng bị loại). Kiểm tra bằng: "
            "integrity-signals validate {path} --rejects rejects.csv"
        ),
        "no_valid_events": (
            "Không dựng được hồ sơ hợp lệ nào từ {path} ({k} trên {n} sự kiện bị loại). Kiểm tra "
            "bằng: integrity-signals validate {path} --events {preset} --rejects rejects.csv"
        ),
        "seed_drawn": (
            "chọn ngẫu nhiên: hạt giống {seed} (dùng --seed {seed} để lập lại đúng kế hoạch này)"
        ),
        "not_applicable": "không áp dụng (thiếu cột {columns}): {signals}",
        "fitted": "đã huấn luyện mô hình trên {n} hồ sơ, lưu tại {path}",
        "fit_next": (
            "chấm điểm một đợt hồ sơ bằng: integrity-signals score CASES --model {path} "
            "--out flags.csv"
        ),
        "scored_with": "chấm điểm bằng {path} (gắn cờ khi giá trị q <= {fdr})",
        "written_row": "{what:<9} {path}  ({summary})",
        "what_flags": "gắn cờ",
        "what_officers": "cán bộ",
        "what_units": "đơn vị",
        "plan_head": "kế hoạch thanh tra: {n} {level}, {k} theo rủi ro, {r} ngẫu nhiên",
        "plan_columns": "#|cán bộ|đơn vị|cách chọn|điểm|lý do chính",
        "by_risk": "rủi ro",
        "by_random": "ngẫu nhiên",
        "level_officers": "cán bộ",
        "level_units": "đơn vị",
        "plan_written": "đã ghi kế hoạch vào {path}",
        "report_written": "đã ghi báo cáo vào {path}",
        "rejects_written": "đã ghi các dòng bị loại vào {path}",
        "summary": "{source}: {n} dòng đã đọc, {valid} hợp lệ, {rejected} bị loại",
        "by_reason": "dòng bị loại theo lý do (một dòng có thể có nhiều lý do):",
        "summary_events": (
            "{source}: {n} sự kiện đã đọc, {valid} sự kiện thuộc {cases} hồ sơ ({open} chưa trả "
            "kết quả), {rejected} bị loại"
        ),
        "by_reason_events": "sự kiện bị loại theo lý do (một sự kiện có thể có nhiều lý do):",
        "mapped": "cột đã ánh xạ: {pairs}",
        "problems": "{n} lỗi đầu tiên:",
        "problem": "  dòng {row}: {message}",
        "problem_event": "  sự kiện {row}: {message}",
        "simulated": (
            "đã mô phỏng {n} hồ sơ tại {units} đơn vị; {corrupt} hồ sơ có sai phạm ({share})"
        ),
        "sim_written": "đã ghi {kind} vào {path}",
        "top_officers": "Cán bộ rủi ro nhất ({k} trên {n} bị gắn cờ):",
        "officer_line": "{rank:>3}. {officer} (đơn vị {unit})  điểm rủi ro {score}, {n} hồ sơ, {k} bị gắn cờ  [{planted}]",
        "no_scheme": "không cài sai phạm",
        "planted": "sai phạm được cài: {scheme}",
        "truth": (
            "Đáp án mô phỏng: {corrupt} cán bộ có sai phạm; {found} trong số đó bị gắn cờ; "
            "{false} cán bộ bị gắn cờ không có sai phạm."
        ),
        "files_in": "Các tệp trong {folder}:",
        "file_flags": "mọi hồ sơ, rủi ro nhất trước, kèm lý do",
        "file_officers": "xếp hạng cán bộ, kèm lý do và các số liệu",
        "file_units": "xếp hạng xã / phường",
        "file_plan": "thanh tra ai (rủi ro nhất và một phần chọn ngẫu nhiên) và hồ sơ cần rút",
        "file_report": "báo cáo cho thanh tra viên: mở bằng trình duyệt",
        "file_model": "mô hình đã huấn luyện, để chấm điểm các đợt hồ sơ mới",
        "next": "Tiếp theo: xuất cùng bộ hồ sơ ra tệp, rồi chấm điểm bằng mô hình đã lưu:",
        "not_writable": (
            "không ghi được {option} {path}: thư mục {folder} {why}. Hãy chọn thư mục có quyền ghi."
        ),
        "why_readonly": "chỉ cho đọc hoặc không thuộc quyền của bạn ({detail})",
        "why_not_folder": "không phải là thư mục",
        "why_is_folder": "là một thư mục, không phải tệp",
        "format_mismatch": (
            "--format {fmt} không khớp với phần mở rộng của {path} ({implied}). Hãy đổi phần mở "
            "rộng hoặc bỏ --format."
        ),
        "columns_with_events": (
            "--columns ánh xạ tiêu đề của tệp hồ sơ; với --events, các bảng [events] và "
            "[case_attributes] của tệp cấu hình nhật ký (preset) đã nêu các cột sự kiện. Hãy bỏ "
            "một trong hai."
        ),
        "catalog_with_events": (
            "Không dùng --catalog cùng với --events: danh mục thủ tục không phải nhật ký sự kiện."
        ),
        "reading_in_chunks": "{path} lớn hơn bộ nhớ cho phép: kiểm tra lần lượt từng khối dòng",
        "coverage_first_block": "dữ liệu thể hiện được gì, đọc trên {n} dòng hợp lệ đầu tiên:",
        "resolution_line": "giờ trong {column}: {status}",
        "not_applicable_line": "{column} không áp dụng (không được ghi) {status}: không dùng ở đó",
        "off_hours_not_applicable": (
            "không hồ sơ nào có giờ trả kết quả thật: không đánh giá việc làm ngoài giờ (vẫn "
            "đánh giá hồ sơ trả vào ngày nghỉ, ngày lễ)"
        ),
        "info_file": "tệp",
        "info_format": "định dạng",
        "info_versions": "lưu bằng",
        "info_fitted": "huấn luyện lúc",
        "info_rows": "hồ sơ tham chiếu",
        "info_columns": "các cột đầu vào",
        "info_catalog": "SHA-256 của danh mục",
        "info_no_catalog": "(huấn luyện không có danh mục)",
        "info_ids": "mã người nộp",
        "info_ids_hashed": "đã bí danh hóa: chỉ giữ giá trị băm HMAC-SHA256 có khóa (chấm điểm cần khóa bí mật)",
        "info_ids_raw": "NGUYÊN GỐC: tệp giữ mã người nộp như trong dữ liệu (dữ liệu cá nhân; xem --pseudonymize)",
        "info_ids_none": "không có (huấn luyện không có mã người nộp)",
        "info_ids_unknown": "không rõ (lưu bằng phiên bản cũ): hãy coi tệp là dữ liệu cá nhân",
        "info_sha256": "SHA-256",
        "info_pin": "ghim tệp này bằng: --model-sha256 {sha}",
        "forced": "đã chấm điểm với --force dù đợt hồ sơ khác dữ liệu huấn luyện mô hình: {what}",
    },
}


def _fmt(value, lang: str):
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return value
    if isinstance(value, numbers.Integral):
        return format_number(value, lang)
    return format_value(value, lang)


def say(lang: str, key: str, **params) -> str:
    """The line ``key`` in ``lang``, numbers written the reader's way (pass ids as text).

    >>> say("vi", "n_rows_quarantined", n=1_000_000, k=8)
    '1.000.000 dòng, 8 bị loại'
    """
    table = MESSAGES["vi" if lang == "vi" else "en"]
    return table[key].format(**{k: _fmt(v, lang) for k, v in params.items()})


# --------------------------------------------------------------------------- errors

#: The library's parameters and the command-line options that set them.
OPTIONS = {
    "columns": "--columns",
    "encoding": "--encoding",
    "delimiter": "--delimiter",
    "sheet_name": "--sheet",
    "dayfirst": "--monthfirst",
    "budget": "--budget",
    "random_share": "--random-share",
    "max_per_unit": "--max-per-unit",
    "n_dossiers": "--dossiers",
    "random_state": "--seed",
    "entity_scores": "--entities",
    "flags": "--flags",
}

_KIND_VI = {
    "parquet": "một tệp Parquet",
    "gzip": "một tệp nén gzip",
    "bz2": "một tệp nén bzip2",
    "zstd": "một tệp nén zstd",
    "lz4": "một tệp nén LZ4",
    "xls": "một bảng tính Excel cũ (.xls) hoặc tệp Office 97-2003 khác",
    "xlsx": "một bảng tính Excel (.xlsx)",
    "ods": "một bảng tính OpenDocument (.ods)",
    "docx": "một văn bản Word (.docx)",
    "zip": "một tệp nén ZIP",
    "png": "một ảnh PNG",
    "jpeg": "một ảnh JPEG",
    "gif": "một ảnh GIF",
    "pdf": "một văn bản PDF",
    "executable": "một chương trình máy tính",
    "sqlite": "một cơ sở dữ liệu SQLite",
    "rar": "một tệp nén RAR",
    "7z": "một tệp nén 7-Zip",
    "rtf": "một văn bản RTF",
    "binary": "một tệp nhị phân, không phải văn bản",
    "html": "một trang HTML",
    "xml_sheet": "một bảng tính XML Excel 2003",
    "text": "văn bản",
}


def _quote(items) -> str:
    return ", ".join(repr(str(i)) for i in items)


def _name(path) -> str:
    return Path(str(path)).name


def _map_hint(header: str, column: str, lang: str) -> str:
    """How to map ``header`` to ``column`` on the command line."""
    entry = f'[columns] "{header}" = "{column}"'
    if lang == "vi":
        return f"ghi vào một tệp ánh xạ cột (map.toml: {entry}) và dùng --columns map.toml"
    return f"map it in a column map file (map.toml: {entry}) passed with --columns map.toml"


def _sheet_hint(p: dict, lang: str) -> str:
    if not p.get("sheet") or len(p.get("sheets", ())) < 2:
        return ""
    others = _quote(s for s in p["sheets"] if s != p["sheet"])
    fits = p.get("fits") or []
    if lang == "vi":
        hint = f" Đây là trang {p['sheet']!r}; bảng tính còn có {others}."
        if fits:
            return (
                hint
                + f" Trang {fits[0]!r} có đủ các cột bắt buộc: dùng --sheet {shlex.quote(fits[0])}."
            )
        return hint + " Dùng --sheet TÊN để đọc trang khác."
    hint = f" This is the sheet {p['sheet']!r}; the workbook also has {others}."
    if fits:
        return (
            hint
            + f" The sheet {fits[0]!r} has every required column: pass --sheet {shlex.quote(fits[0])}."
        )
    return hint + " Pass --sheet NAME to read another sheet."


def _missing_column(p: dict, lang: str) -> str:
    column = p["column"]
    if p.get("header"):
        hint = _map_hint(p["header"], column, lang)
        hint = (
            f" Gần nhất: tiêu đề {p['header']!r} giống {p['alias']!r}; {hint}."
            if lang == "vi"
            else f" Closest: the header {p['header']!r} looks like {p['alias']!r}; {hint}."
        )
    else:
        hint = _map_hint("<your header>" if lang != "vi" else "<tiêu đề của bạn>", column, lang)
        hint = f" Hãy {hint}." if lang == "vi" else f" To use another header, {hint}."
    headers = _quote(p["headers"]) or ("không có" if lang == "vi" else "none")
    if lang == "vi":
        text = (
            f"Thiếu cột bắt buộc {column!r} ({column_label(column, lang)}). Các tiêu đề có trong "
            f"tệp: {headers}.{hint} Các tiêu đề được chấp nhận: {_quote(p['accepted'])}."
        )
    else:
        text = (
            f"Required column {column!r} ({column_label(column, lang)}) is missing. Headers "
            f"found: {headers}.{hint} Accepted headers: {_quote(p['accepted'])}."
        )
    return text + _sheet_hint(p, lang)


def _not_a_table(p: dict, lang: str) -> str:
    readable_elsewhere = p["content"] in ("xls", "html", "xml_sheet", "ods")
    if lang == "vi":
        fix = (
            "Mở tệp bằng Excel (hoặc LibreOffice) và lưu lại thành bảng tính .xlsx hoặc "
            "'CSV UTF-8', rồi đọc tệp đó."
            if readable_elsewhere
            else "Hãy kiểm tra đây có đúng là tệp hồ sơ xuất ra: tệp CSV, Parquet hoặc .xlsx."
        )
        what = _KIND_VI.get(p["content"], p["label"])
        return f"{_name(p['path'])} là {what}, không phải bảng dữ liệu đọc được. {fix}"
    fix = (
        "Open it in Excel (or LibreOffice) and save it as an .xlsx workbook or as 'CSV UTF-8', "
        "then read that."
        if readable_elsewhere
        else "Check that this is the case export: a CSV, Parquet or .xlsx file."
    )
    return f"{_name(p['path'])} is {p['label']}, not a table this command reads. {fix}"


def _undecodable(p: dict, lang: str, utf8: bool) -> str:
    name, codec = _name(p["path"]), p["encoding"]
    byte = f"0x{p['byte']:02X}" if p.get("byte") is not None else None
    line = format_number(p["line"], lang) if p.get("line") is not None else None
    if lang == "vi":
        at = f"dòng {line} có byte {byte}, " if line else "có byte "
        if utf8:
            return (
                f"{name}: tệp không phải văn bản UTF-8 ({at}UTF-8 không cho phép). Nếu tệp xuất "
                "từ phần mềm Windows tiếng Việt cũ, hãy dùng --encoding cp1258; hoặc lưu lại "
                "thành 'CSV UTF-8' trong Excel."
            )
        return (
            f"{name}: tệp không phải văn bản {codec} ({at}{codec} không đọc được). Hãy ghi đúng "
            "bảng mã bằng --encoding (ví dụ utf-8, utf-16, cp1258), hoặc lưu lại thành "
            "'CSV UTF-8' trong Excel."
        )
    at = f"line {line} holds the byte {byte}, which " if line else "some bytes "
    if utf8:
        return (
            f"{name}: the file is not UTF-8 text ({at}UTF-8 does not allow). If it came from an "
            "older Vietnamese Windows program, pass --encoding cp1258; or save it again as "
            "'CSV UTF-8' in Excel."
        )
    return (
        f"{name}: the file is not {codec} text ({at}{codec} cannot read). Name its encoding "
        "with --encoding (e.g. utf-8, utf-16, cp1258), or save it again as 'CSV UTF-8' in Excel."
    )


def _level_word(level: str | None, lang: str) -> str:
    key = "level_units" if level == "unit_id" else "level_officers"
    return say(lang, key)


_ERRORS_VI = {
    "file_missing": "Không có tệp {path!r}.",
    "empty_file": "{name}: tệp rỗng; cần ít nhất một dòng tiêu đề.",
    "blank_headers": "{name}: các ô tiêu đề {cells} (đếm từ 1) bị trống; hãy đặt tên cho mọi cột ở dòng đầu.",
    "repeated_headers": "{name}: dòng tiêu đề lặp lại {headers}; hãy đổi tên các cột trùng.",
    "unknown_encoding": "Không biết bảng mã {encoding!r} của --encoding; hãy dùng ví dụ utf-8, utf-16 hoặc cp1258.",
    "csv_unreadable": "{name}: không đọc được tệp CSV ({detail}). Hãy kiểm tra --encoding và --delimiter.",
    "compressed_damaged": "{name}: tệp có phần đầu của tệp nén {compression} nhưng không giải nén được ({detail}): tệp bị hỏng hoặc bị cắt cụt. Hãy nén lại, hoặc lưu thành CSV thường.",
    "parquet_unreadable": "{name}: không phải tệp Parquet đọc được ({detail}).",
    "xlsx_unreadable": "{name}: không phải bảng tính .xlsx đọc được ({detail}).",
    "sheet_missing": "{name} không có trang {sheet!r}. Các trang: {sheets}; hãy chọn một trang bằng --sheet (tên hoặc số thứ tự từ 0).",
    "unknown_extension": "{name}: không biết loại tệp {suffix!r}; hãy dùng .csv, .tsv, .txt, .parquet hoặc .xlsx (CSV có thể nén: .csv.gz).",
    "ambiguous_column": "Cả {a!r} và {b!r} đều giống cột {column!r}. Hãy chọn một cột: {hint}.",
    "map_header_absent": "Tệp ánh xạ cột (--columns) nêu tiêu đề {header!r} nhưng tệp dữ liệu không có. Các tiêu đề có trong tệp: {headers}.",
    "map_target_unknown": "Tệp ánh xạ cột (--columns) chuyển {header!r} thành {column!r}, không phải là cột chuẩn. Các cột chuẩn: {columns}.",
    "map_clash": "Tệp ánh xạ cột (--columns) chuyển {header!r} thành {column!r}, nhưng tệp dữ liệu còn có cột tên {other!r}; hãy đổi tên hoặc bỏ cột đó.",
    "budget_too_large": "--budget {value} lớn hơn số {level} trong bảng xếp hạng ({n_entities}). Hãy giảm --budget.",
    "missing_columns": "{option} {path}: thiếu cột {missing}. Hãy dùng tệp {what} do lệnh score --entities hoặc demo ghi ra.",
    "repeated_entities": "--entities {path} có nhiều dòng cho cùng một {level_one} (ví dụ {first!r}): đây không phải bảng xếp hạng. Hãy dùng tệp cán bộ hoặc đơn vị do lệnh score --entities hoặc demo ghi ra (ví dụ flags.officers.csv).",
    "preset_missing": "Không có tệp cấu hình nhật ký {path!r} (--events).",
    "preset_invalid": "Tệp cấu hình nhật ký {path!r} (--events) không phải TOML hợp lệ: {detail}.",
    "preset_unknown_key": "Tệp cấu hình nhật ký {path!r} (--events) có khóa lạ {key!r} ở {where}.{hint} Các khóa dùng được: {known}.",
    "event_column_missing": "Nhật ký không có cột sự kiện {column!r} ({role}). Các tiêu đề có trong tệp: {headers}.{hint} Hãy ghi đúng tiêu đề cho {role} trong bảng [events] hoặc [case_attributes] của tệp cấu hình nhật ký {preset}.",
    "activities_absent": "Không hoạt động nào của {role} ({names}) có trong nhật ký ({n} hoạt động, ví dụ {examples}).{hint} Hãy sửa {role} trong bảng [events] của tệp cấu hình nhật ký {preset}.",
    "xes_malformed": "{name}: tệp XES sai cấu trúc ở dòng {line}, cột {col} ({detail}); tệp có thể bị cắt cụt hoặc không phải XML. Hãy xuất lại tệp, hoặc kiểm tra tệp mở được bằng một công cụ khai phá quy trình.",
    "xes_empty": "{name}: tệp XES không có sự kiện (<event>) nào; không có gì để đọc.",
}  # fmt: skip
_ERRORS_EN = {
    "unknown_encoding": "Unknown encoding {encoding!r} for --encoding; use e.g. utf-8, utf-16 or cp1258.",
    "csv_unreadable": "{name}: cannot read the CSV ({detail}). Check --encoding and --delimiter.",
    "sheet_missing": "{name} has no sheet {sheet!r}. Sheets: {sheets}; pass one of them with --sheet (a name or a 0-based number).",
    "ambiguous_column": "Both {a!r} and {b!r} look like the column {column!r}. Choose one: {hint}.",
    "budget_too_large": "--budget {value} is more than the {n_entities} {level} in the ranking. Lower --budget.",
    "missing_columns": "{option} {path}: no column {missing}. Pass the {what} file that score --entities or demo wrote.",
    "repeated_entities": "--entities {path} has several rows per {level_one} (e.g. {first!r}): it is not a ranking. Pass the officers or units file that score --entities or demo wrote (e.g. flags.officers.csv).",
    "event_column_missing": "The event column {column!r} ({role}) is not in the log. Headers found: {headers}.{hint} Set {role} to the right header in the [events] or [case_attributes] table of the preset {preset}.",
    "activities_absent": "None of the {role} ({names}) occurs in the log ({n} activities, e.g. {examples}).{hint} Correct {role} in the [events] table of the preset {preset}.",
}  # fmt: skip

#: Hints of the event-log errors: (English, Vietnamese), formatted with the closest match.
_CLOSEST = {
    "preset_unknown_key": (" Did you mean {close!r}?", " Có phải là {close!r}?"),
    "event_column_missing": (" Closest header: {close!r}.", " Gần nhất: {close!r}."),
    "activities_absent": (" Closest activity: {close!r}.", " Hoạt động gần nhất: {close!r}."),
}


#: Errors of the reliability guards, as the command line says them: (English, Vietnamese).
_GUARDS = {
    "incompatible_batch": (
        "This batch is not like the data the model was fitted on: {differences}. Its scores would "
        "measure the difference, not the officers. Fit a model on data like this batch "
        "(integrity-signals fit), or pass --force to score it anyway (every output then says how "
        "it differs).",
        "Đợt hồ sơ này khác dữ liệu đã dùng để huấn luyện mô hình: {differences}. Điểm rủi ro "
        "khi đó chỉ đo sự khác biệt ấy, không phải cán bộ. Hãy huấn luyện mô hình trên dữ liệu "
        "giống đợt này (integrity-signals fit), hoặc dùng --force để vẫn chấm điểm (mọi tệp kết "
        "quả sẽ ghi rõ sự khác biệt).",
    ),
    "key_missing": (
        "The model keeps applicant ids only as keyed hashes and needs the secret it was fitted "
        "with: {where_en} is {missing_en}. Set it (at least 16 characters) and run again.",
        "Mô hình chỉ giữ mã người nộp dưới dạng băm có khóa và cần đúng khóa bí mật đã dùng khi "
        "huấn luyện: {where_vi} {missing_vi}. Hãy đặt khóa (ít nhất 16 ký tự) rồi chạy lại.",
    ),
    "key_short": (
        "The pseudonym secret from {source} is {length} bytes long; use at least {minimum} random "
        "bytes (e.g. openssl rand -hex 32).",
        "Khóa bí mật lấy từ {source} chỉ dài {length} byte; hãy dùng ít nhất {minimum} byte ngẫu "
        "nhiên (ví dụ openssl rand -hex 32).",
    ),
    "key_wrong": (
        "The pseudonym secret from {source} is not the one this model was fitted with: its "
        "applicants would match nobody in the model's record. Give the secret used at fit time, "
        "or fit the model again with this one.",
        "Khóa bí mật lấy từ {source} không phải khóa đã dùng khi huấn luyện mô hình này: người "
        "nộp sẽ không khớp với ai trong dữ liệu tham chiếu. Hãy dùng đúng khóa lúc huấn luyện, "
        "hoặc huấn luyện lại mô hình với khóa này.",
    ),
    "sha256_mismatch": (
        "The model file {path} has SHA-256 {found}, not the {expected} given with --model-sha256: "
        "it is another file than the one you pinned (replaced, refitted or tampered with). It "
        "was not loaded.",
        "Tệp mô hình {path} có SHA-256 {found}, không phải {expected} như --model-sha256: đây là "
        "một tệp khác với tệp đã ghim (bị thay, huấn luyện lại hoặc bị sửa). Tệp không được nạp.",
    ),
    "bad_sha256": (
        "--model-sha256 {expected} is not 64 hexadecimal digits; copy it from integrity-signals "
        "model-info or sha256sum.",
        "--model-sha256 {expected} không phải 64 chữ số thập lục phân; hãy chép từ "
        "integrity-signals model-info hoặc sha256sum.",
    ),
    "memory_limit": (
        "{name} holds about {rows} rows: {job} would need about {need} of memory, more than the "
        "{limit} allowed (--max-memory, default 80% of the memory available). Split the file by "
        "period or unit, use a larger machine, or raise --max-memory.",
        "{name} có khoảng {rows} dòng: {job} cần khoảng {need} bộ nhớ, nhiều hơn mức {limit} cho "
        "phép (--max-memory, mặc định 80% bộ nhớ còn trống). Hãy chia tệp theo kỳ hoặc đơn vị, "
        "dùng máy lớn hơn, hoặc tăng --max-memory.",
    ),
}
_WRITE_FAILED = {
    "full": ("the disk is full", "ổ đĩa đã đầy"),
    "readonly": ("the folder is read-only or not yours", "thư mục chỉ cho đọc hoặc không thuộc quyền của bạn"),
    "other": ("the write failed", "ghi tệp bị lỗi"),
}  # fmt: skip


def _gb(n: int, lang: str) -> str:
    return f"{format_value(round(n / 2**30, 1), lang)} GB"


def _guard_text(code: str, p: dict, lang: str) -> str:
    """The reliability guards' errors (see :data:`_GUARDS`)."""
    vi = lang == "vi"
    if code == "write_failed":
        why = _WRITE_FAILED[p["why"]][vi]
        if vi:
            return (
                f"Không ghi được {p['path']}: {why} ({p['detail']}) tại thư mục {p['folder']}. "
                "Không có tệp nào bị ghi dở; hãy giải phóng dung lượng hoặc chọn thư mục khác."
            )
        return (
            f"Cannot write {p['path']}: {why} ({p['detail']}) in the folder {p['folder']}. "
            "Nothing was left half-written; free some space or choose another folder."
        )
    p = dict(p)
    if code == "incompatible_batch":
        from ..scoring.compatibility import describe

        p["differences"] = "; ".join(describe(d, lang) for d in p["differences"])
    if code == "key_missing":
        env = p.get("kind") == "env"
        p["where_en"] = (
            f"the environment variable {p['where']}" if env else f"the file {p['where']}"
        )
        p["where_vi"] = f"biến môi trường {p['where']}" if env else f"tệp {p['where']}"
        p["missing_en"] = "empty or not set" if env else "missing or unreadable"
        p["missing_vi"] = "trống hoặc chưa đặt" if env else "không có hoặc không đọc được"
    if code == "memory_limit":
        p["name"] = _name(p["path"])
        p["rows"] = format_number(p["rows"], lang)
        p["need"], p["limit"] = _gb(p["need"], lang), _gb(p["limit"], lang)
        p["job"] = (
            {"read": "đọc", "fit": "huấn luyện", "score": "chấm điểm"}.get(p["job"], p["job"])
            if vi
            else p["job"]
        )
    return _GUARDS[code][vi].format(**p)


def error_text(exc, lang: str = "en", options: dict | None = None) -> str:
    """An error as the command line says it: in its terms, in ``lang``, on one line.

    ``options`` are the command's parsed options (to name the file an option
    gave). Errors without a ``code`` keep their own message.
    """
    code, p = getattr(exc, "code", None), dict(getattr(exc, "params", None) or {})
    options = options or {}
    vi = lang == "vi"
    if "path" in p:
        p["name"] = _name(p["path"])
    if code == "output_not_writable":
        why = say(lang, p["why"], detail=p.get("detail", ""))
        return say(
            lang, "not_writable", option=p["option"], path=p["path"], folder=p["folder"], why=why
        )
    if code in _GUARDS or code == "write_failed":
        return _guard_text(code, p, lang)
    if code == "missing_column":
        return _missing_column(p, lang)
    if code == "not_a_table":
        return _not_a_table(p, lang)
    if code in ("not_utf8", "decode_error"):
        return _undecodable(p, lang, code == "not_utf8")
    if code == "ambiguous_column":
        p["a"], p["b"] = p["headers"]
        p["hint"] = _map_hint(p["headers"][0], p["column"], lang)
    if code in ("sheet_missing", "map_header_absent", "map_target_unknown"):
        for key in ("sheets", "headers", "columns"):
            if key in p:
                p[key] = _quote(p[key])
    if code == "budget_too_large":
        p["level"] = _level_word(p.get("level"), lang)
        p["n_entities"] = format_number(p["n_entities"], lang)  # --budget's value stays as typed
    if code == "missing_columns":
        param = p.get("param")
        if param not in ("entity_scores", "flags") or not options.get(OPTIONS[param][2:]):
            return " ".join(str(exc).split())
        p["option"], p["path"] = OPTIONS[param], options[OPTIONS[param][2:]]
        p["missing"] = _quote(p["missing"])
        p["what"] = (
            ("bảng xếp hạng cán bộ hoặc đơn vị" if vi else "officers or units")
            if param == "entity_scores"
            else ("bảng gắn cờ hồ sơ" if vi else "case flags")
        )
    if code == "repeated_entities":
        if not options.get("entities"):
            return " ".join(str(exc).split())
        p["path"], p["first"] = options["entities"], p["repeated"][0]
        officer = p.get("level") != "unit_id"
        p["level_one"] = (
            ("cán bộ" if officer else "đơn vị") if vi else ("officer" if officer else "unit")
        )
    if code in _CLOSEST:
        hint = _CLOSEST[code][vi]
        p["hint"] = hint.format(close=p["close"]) if p.get("close") else ""
        p["preset"] = options.get("events") or "PRESET"
        for key in ("headers", "names", "examples", "known"):
            if key in p:
                p[key] = _quote(p[key]) if key != "known" else ", ".join(p[key])
        if "n" in p:
            p["n"] = format_number(p["n"], lang)
        if p.get("where") == "the top level" and vi:
            p["where"] = "cấp ngoài cùng"
    table = _ERRORS_VI if vi else _ERRORS_EN
    if code in table:
        return table[code].format(**p)
    return " ".join(str(exc).split())


# --------------------------------------------------------------------------- warnings


def warning_text(warning, lang: str = "en") -> str:
    """A library warning as the command line says it (its own message when it has no code)."""
    code, p = getattr(warning, "code", None), getattr(warning, "params", None) or {}
    vi = lang == "vi"
    if code == "few_random_picks":
        fixes = []
        if p.get("share_needed") is not None:
            share = f"{p['share_needed']:g}"  # an option's value, as it is typed
            fixes.append(
                f"--random-share {share} với --budget {p['budget']}"
                if vi
                else f"--random-share {share} with --budget {p['budget']}"
            )
        if p.get("budget_needed") is not None:
            share = f"{p['random_share']:g}"
            fixes.append(
                f"--budget {p['budget_needed']} với --random-share {share}"
                if vi
                else f"--budget {p['budget_needed']} with --random-share {share}"
            )
        joined = (" hoặc " if vi else " or ").join(fixes)
        needed = p["needed"]
        if vi:
            head = (
                "kế hoạch không có lượt chọn ngẫu nhiên nào"
                if p["n_random"] == 0
                else f"kế hoạch chỉ chọn ngẫu nhiên {p['n_random']} trường hợp"
            )
            fix = f" ({needed} lượt sẽ đủ: {joined})" if fixes else ""
            tail = (
                " hoặc dùng --random-share 0 để lập kế hoạch không có phần ngẫu nhiên"
                if p["n_random"] == 0
                else ""
            )
            return (
                f"{head}: quá ít để ước lượng tỷ lệ sai phạm{fix}{tail}."
            )  # fmt: skip
        head = (
            "the plan has no random pick"
            if p["n_random"] == 0
            else f"the plan draws {p['n_random']} at random"
        )
        fix = f" ({needed} would: {joined})" if fixes else ""
        tail = (
            ", or pass --random-share 0 to plan without a random part" if p["n_random"] == 0 else ""
        )
        return f"{head}: too few to estimate the problem rate{fix}{tail}."  # fmt: skip
    if code == "caps_unfilled":
        if vi:
            return (
                f"--max-per-unit {p['max_per_unit']} chỉ còn {p['n_risk']} trường hợp cho "
                f"{p['n_risk_requested']} lượt chọn theo rủi ro; các lượt còn lại được chọn "
                f"ngẫu nhiên ({p['n_random']} thay vì {p['n_random_requested']})."
            )
        return (
            f"--max-per-unit {p['max_per_unit']} leaves {p['n_risk']} eligible for the "
            f"{p['n_risk_requested']} risk slots; the rest are drawn at random ({p['n_random']} "
            f"instead of {p['n_random_requested']})."
        )
    if code == "reference_overlap":
        if vi:
            return (
                f"{format_number(p['n'], lang)} trên {format_number(p['total'], lang)} hồ sơ của "
                "đợt này đã có trong dữ liệu tham chiếu của mô hình (nhận ra theo mã hồ sơ), "
                f"{format_number(p['shifted'], lang)} hồ sơ mang ngày ngoài kỳ tham chiếu (xuất "
                "lại hoặc bị dời ngày?). Các hồ sơ này vẫn được chấm điểm nhưng không bị tính hai lần."
            )
        return (
            f"{format_number(p['n'], lang)} of {format_number(p['total'], lang)} dossiers of this "
            "batch are already in the model's reference record (recognised by case id), "
            f"{format_number(p['shifted'], lang)} of them with dates outside the reference period "
            "(a re-imported or shifted export?). They are scored, but not counted twice."
        )
    if code == "likely_duplicates":
        if vi:
            return (
                f"{format_number(p['n'], lang)} trên {format_number(p['total'], lang)} hồ sơ có nội "
                "dung trùng một hồ sơ tham chiếu nhưng mang mã khác: nhiều khả năng là hồ sơ cũ bị "
                "đổi mã. Chúng vẫn được giữ và tính; hãy kiểm tra tệp xuất trước khi dựa vào số "
                "liệu của cán bộ liên quan."
            )
        return (
            f"{format_number(p['n'], lang)} of {format_number(p['total'], lang)} dossiers have the "
            "content of a reference dossier under another case id: likely re-keyed duplicates. "
            "They are kept and counted; check the export before acting on their officers' figures."
        )
    if code == "forced_mismatch":
        from ..scoring.compatibility import describe

        return say(lang, "forced", what="; ".join(describe(d, lang) for d in p["differences"]))
    if code == "content_not_name":
        name = _name(p["path"])
        if vi:
            what = _KIND_VI.get(p.get("content"), p["label"])
            return f"{name} thực chất là {what}, không như tên tệp; đã đọc theo đúng nội dung."
        return f"{name} is {p['label']}, not what its name says; read as what it is."
    return " ".join(str(warning).split())


# --------------------------------------------------------------------------- rejected rows

_REJECTS_VI = {
    "missing_value": "{column} trống nhưng bắt buộc; hãy điền hoặc bỏ dòng này",
    "duplicate_id": "{column} {value!r} xuất hiện ở nhiều dòng với nội dung khác nhau; hãy giữ dòng đúng rồi nhập lại",
    "unparseable_date": "{column} {value!r} không phải là ngày; hãy ghi dd/mm/yyyy [HH:MM], yyyy-mm-dd hoặc ngày Excel",
    "implausible_date": "{column} {value!r} nằm ngoài 1990-2099; hãy sửa lại ngày",
    "completed_before_submitted": "{column} {value!r} trước ngày tiếp nhận; hãy sửa một trong hai ngày",
    "due_before_submitted": "{column} {value!r} trước ngày tiếp nhận; hãy sửa một trong hai ngày",
    "unparseable_amount": "{column} {value!r} không phải số tiền; hãy ghi 1.500.000 hoặc 1500000",
    "negative_amount": "{column} {value!r} là số âm; hãy ghi khoản hoàn trả riêng",
    "unparseable_count": "{column} {value!r} không phải là số: hãy ghi số nguyên (2) hoặc số ngày làm việc (15)",
    "negative_count": "{column} {value!r} là số âm; phải từ 0 trở lên",
    "unknown_channel": "hình thức nộp {value!r} không xác định; hãy dùng trực tuyến / trực tiếp / bưu chính hoặc thêm vào bảng [channel] của tệp ánh xạ cột",
    "malformed_row": "dòng có số trường khác với dòng tiêu đề; hãy kiểm tra dấu ngoặc kép và dấu phân cách",
}  # fmt: skip


#: The problems of one event of an event log (``--events``), in Vietnamese.
_EVENT_REJECTS_VI = {
    "missing_value": "{column} trống; mỗi sự kiện cần mã hồ sơ, tên hoạt động và thời điểm",
    "unparseable_date": "{column} {value!r} không phải là ngày giờ; hãy ghi yyyy-mm-dd HH:MM[:SS][+hh:mm] hoặc dd/mm/yyyy HH:MM (thêm --monthfirst nếu tháng đứng trước ngày)",
    "duplicate_event": "lặp lại y hệt một sự kiện trước đó; đã giữ bản đầu tiên",
    "incomplete_case": "hồ sơ {case} có sự kiện bị loại; một hồ sơ chỉ được dựng từ đủ mọi sự kiện của nó: hãy sửa các sự kiện đó rồi đọc lại nhật ký",
}  # fmt: skip
#: The same in English, where the library's message names a Python parameter.
_EVENT_REJECTS_EN = {
    "unparseable_date": "{column} {value!r} is not a date; write yyyy-mm-dd HH:MM[:SS][+hh:mm] or dd/mm/yyyy HH:MM (add --monthfirst when the month comes first)",
}  # fmt: skip


def reject_text(
    row: dict, lang: str, column_map: dict | None = None, *, events: bool = False
) -> str:
    """One rejected row's problem: its message (English), or in Vietnamese from its reason.

    The column is named by the user's own header where the column map knows it.
    With ``events`` the row is an event of an event log: a problem of the case
    rolled up from it is told as the case's ("hồ sơ B: ...").
    """
    reason, message = str(row["reason"]), str(row["message"])
    raw = row.get("case_id")
    case = "" if raw is None or raw != raw else str(raw)  # None or NaN: no case id
    case_problem = events and bool(case) and message.startswith(f"case {case}: ")
    if lang != "vi":
        if events and not case_problem and reason in _EVENT_REJECTS_EN:
            value = "" if row["value"] is None else str(row["value"])
            return _EVENT_REJECTS_EN[reason].format(column=row["column"], value=value)
        return message
    table = _EVENT_REJECTS_VI if events and not case_problem else _REJECTS_VI
    if reason not in {**_REJECTS_VI, **table}:
        return message
    table = table if reason in table else _REJECTS_VI
    column = str(row["column"])
    # a case rolled up from events has canonical columns, named in words
    header = (column_map or {}).get(column) if not case_problem else None
    header = header or column_label(column, lang)
    value = "" if row["value"] is None else str(row["value"])
    text = table[reason].format(column=header, value=value, case=case)
    return f"hồ sơ {case}: {text}" if case_problem else text


def reasons_text(by_reason, lang: str) -> str:
    """ "3 ngày không đọc được, 1 số tiền âm": rejected rows counted by reason."""
    return ", ".join(
        f"{format_number(n, lang)} {reject_label(r, lang)}" for r, n in by_reason.items()
    )


# --------------------------------------------------------------------------- what the data carries

_RESOLUTION_VI = {"times": "có giờ", "date only": "chỉ có ngày", "no values": "trống"}


def resolution_text(status: str, lang: str) -> str:
    """A ``resolution:`` coverage entry ("times; date only for 1 officers (cb1)") the reader's way."""
    if lang != "vi":
        return status
    out = []
    for part in status.split("; "):
        head, _, rest = part.partition(" for ")
        if head.startswith("constant time"):
            head_vi = "luôn cùng một giờ " + head.removeprefix("constant time ")
        else:
            head_vi = _RESOLUTION_VI.get(head, head)
        if rest:
            count, _, names = rest.partition(" ")
            names = names.replace("officers", "cán bộ").replace("units", "đơn vị")
            names = names.replace(" and ", " và ").replace(" more", " nữa")
            out.append(f"{head_vi} ở {count} {names}")
        else:
            out.append(head_vi)
    return "; ".join(out)


def applicability_text(status: str, lang: str) -> str:
    """A ``not_applicable:`` coverage entry ("constant for 1 units (U3)") the reader's way."""
    if lang != "vi":
        return status
    text = status.replace("nearly empty for", "gần như trống ở").replace(
        "constant for", "chỉ một giá trị ở"
    )
    text = text.replace("officers", "cán bộ").replace("units", "đơn vị")
    return text.replace(" and ", " và ").replace(" more", " nữa")
