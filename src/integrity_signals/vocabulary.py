"""Names shown to people, in English and Vietnamese: signals, their families, the canonical
columns and the reasons a row is quarantined.

The report and the command line both write these; each table has the same keys
in both languages (a test checks), and nothing falls back to English in
Vietnamese text. Signal names are the labels of the signal registry
(:mod:`integrity_signals.signals`), their single source. Codes (``excess_fee``,
``fee_charged``, ``unparseable_date``) stay in the CSV outputs for analysts;
people read the names.
"""

from __future__ import annotations

from .formatting import LANGS
from .signals import ISOLATION, SIGNALS

__all__ = [
    "LANGS",
    "column_label",
    "coverage_columns",
    "family_label",
    "reject_label",
    "signal_label",
]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


#: Signal names for people, per language: the labels of the signal registry
#: (:mod:`integrity_signals.signals`), which is their single source.
SIGNAL_NAMES = {
    lang: {s.name: _capital(s.label[lang]) for s in (*SIGNALS, ISOLATION)} for lang in LANGS
}

FAMILY_NAMES = {
    "en": {"timing": "Timing", "fees": "Fees", "handlers": "Officers and applicants"},
    "vi": {"timing": "Thời gian xử lý", "fees": "Phí, lệ phí", "handlers": "Cán bộ và người nộp"},
}

#: Canonical columns of cases and catalogs, as a Vietnamese export would head them (and the
#: catalog itself, which a ``RiskModel.coverage_`` status names among the missing columns).
COLUMN_NAMES = {
    "en": {
        "case_id": "case id",
        "procedure_id": "procedure",
        "unit_id": "unit",
        "handler_id": "processing officer",
        "submitted_at": "date received",
        "due_at": "promised date",
        "completed_at": "date returned",
        "applicant_id": "applicant",
        "receiver_id": "receiving officer",
        "fee_charged": "fee charged",
        "fee_official": "posted fee",
        "channel": "filing channel",
        "supplement_requests": "requests for documents",
        "status": "status",
        "statutory_days": "statutory time",
        "sector": "sector",
        "name": "procedure name",
        "valid_from": "valid from",
        # not a column: the catalog itself, which the comparisons with it need
        "catalog": "procedure catalog",
        # not a column: real times of day in the date returned (not date-only or constant stamps)
        "time_of_day": "time of day of the date returned",
    },
    "vi": {
        "case_id": "mã hồ sơ",
        "procedure_id": "thủ tục",
        "unit_id": "đơn vị",
        "handler_id": "cán bộ xử lý",
        "submitted_at": "ngày tiếp nhận",
        "due_at": "ngày hẹn trả",
        "completed_at": "ngày trả kết quả",
        "applicant_id": "người nộp",
        "receiver_id": "cán bộ tiếp nhận",
        "fee_charged": "phí, lệ phí đã thu",
        "fee_official": "mức phí quy định",
        "channel": "hình thức nộp",
        "supplement_requests": "số lần yêu cầu bổ sung",
        "status": "trạng thái",
        "statutory_days": "thời hạn giải quyết",
        "sector": "lĩnh vực",
        "name": "tên thủ tục",
        "valid_from": "hiệu lực từ",
        "catalog": "danh mục thủ tục",
        "time_of_day": "giờ trong ngày trả kết quả",
    },
}

#: :class:`~integrity_signals.RejectReason` codes in words.
REJECT_NAMES = {
    "en": {
        "missing_value": "required value missing",
        "duplicate_id": "repeated id",
        "unparseable_date": "unreadable date",
        "implausible_date": "implausible date",
        "completed_before_submitted": "returned before it was received",
        "due_before_submitted": "promised before it was received",
        "unparseable_amount": "unreadable amount",
        "negative_amount": "negative amount",
        "unparseable_count": "unreadable number",
        "negative_count": "negative number",
        "unknown_channel": "unknown filing channel",
        "malformed_row": "malformed line",
        "duplicate_event": "repeated event",
        "incomplete_case": "case with a rejected event",
    },
    "vi": {
        "missing_value": "thiếu giá trị bắt buộc",
        "duplicate_id": "trùng mã",
        "unparseable_date": "ngày không đọc được",
        "implausible_date": "ngày không hợp lý",
        "completed_before_submitted": "ngày trả trước ngày tiếp nhận",
        "due_before_submitted": "ngày hẹn trả trước ngày tiếp nhận",
        "unparseable_amount": "số tiền không đọc được",
        "negative_amount": "số tiền âm",
        "unparseable_count": "số không đọc được",
        "negative_count": "số âm",
        "unknown_channel": "hình thức nộp không xác định",
        "malformed_row": "dòng sai cấu trúc",
        "duplicate_event": "sự kiện lặp lại",
        "incomplete_case": "hồ sơ có sự kiện bị loại",
    },
}


def _lang(lang: str) -> str:
    return "vi" if lang == "vi" else "en"


def signal_label(name: str, lang: str) -> str:
    """A signal's name for people ("Miễn phí và xử lý nhanh" for ``waiver_fast``): its label in
    the signal registry.

    A signal the registry does not know is named by its code, never by another
    language's name.
    """
    return SIGNAL_NAMES[_lang(lang)].get(name, name)


def family_label(family: str, lang: str) -> str:
    """A signal family's name for people."""
    return FAMILY_NAMES[_lang(lang)].get(family, family)


def column_label(column: str, lang: str) -> str:
    """A canonical column's name for people ("phí, lệ phí đã thu" for ``fee_charged``)."""
    return COLUMN_NAMES[_lang(lang)].get(column, column)


def reject_label(reason: str, lang: str) -> str:
    """A reject reason code in words ("ngày không đọc được" for ``unparseable_date``)."""
    return REJECT_NAMES[_lang(lang)].get(str(reason), str(reason))


def coverage_columns(status: str) -> list[str] | None:
    """The columns a ``RiskModel.coverage_`` status misses: None when the signal is usable.

    >>> coverage_columns("ok"), coverage_columns("not applicable: no fee_charged, fee_official")
    (None, ['fee_charged', 'fee_official'])
    """
    if status == "ok":
        return None
    detail = status.split(":", 1)[1].strip() if ":" in status else status
    return [c.strip() for c in detail.removeprefix("no ").split(",") if c.strip()]
