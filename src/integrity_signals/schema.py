"""The data contract: canonical columns, their kinds, aliases and reject reasons.

One row per case (dossier). Readers map user headers onto the canonical
names below, parse each column by its *kind*, and quarantine rows that break
the contract with a :class:`RejectReason`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .textkeys import label_key

__all__ = [
    "CASE_SCHEMA",
    "CATALOG_SCHEMA",
    "CHANNELS",
    "Column",
    "RejectReason",
    "TableSchema",
]


class RejectReason(StrEnum):
    """Why an input row was quarantined. The value is the code written to ``rejects.reason``."""

    MISSING_VALUE = "missing_value"
    DUPLICATE_ID = "duplicate_id"
    UNPARSEABLE_DATE = "unparseable_date"
    IMPLAUSIBLE_DATE = "implausible_date"
    COMPLETED_BEFORE_SUBMITTED = "completed_before_submitted"
    DUE_BEFORE_SUBMITTED = "due_before_submitted"
    UNPARSEABLE_AMOUNT = "unparseable_amount"
    NEGATIVE_AMOUNT = "negative_amount"
    UNPARSEABLE_COUNT = "unparseable_count"
    NEGATIVE_COUNT = "negative_count"
    UNKNOWN_CHANNEL = "unknown_channel"
    MALFORMED_ROW = "malformed_row"
    # event logs only: an exact copy of an earlier event; an event whose case has a
    # rejected event (a case is rolled up from all its events or not at all)
    DUPLICATE_EVENT = "duplicate_event"
    INCOMPLETE_CASE = "incomplete_case"


#: Canonical filing channels and the written forms accepted for each (compared with
#: :func:`~integrity_signals.textkeys.label_key`, so case and diacritics do not matter).
CHANNELS: dict[str, tuple[str, ...]] = {
    "online": (
        "online",
        "truc tuyen",
        "dich vu cong",
        "dvc",
        "dvctt",
        "cong dich vu cong",
        "internet",
        "web",
        "e mail",
        "email",
    ),
    "in_person": (
        "in person",
        "in_person",
        "truc tiep",
        "tai quay",
        "tai bo phan mot cua",
        "mot cua",
        "desk",
        "counter",
        "offline",
    ),
    "postal": ("postal", "post", "mail", "buu chinh", "buu chinh cong ich", "buu dien", "bccp"),
}


@dataclass(frozen=True)
class Column:
    """One canonical column.

    ``kind`` decides how values are parsed: ``id`` and ``text`` (trimmed strings),
    ``datetime``, ``amount`` (VND), ``count`` (integer >= 0), ``days`` (number >= 0),
    ``channel``.
    """

    name: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    description: str = ""

    def spellings(self) -> set[str]:
        """Folded header spellings that map to this column (its own name included)."""
        return {label_key(self.name), *(label_key(a) for a in self.aliases)}


@dataclass(frozen=True)
class TableSchema:
    """An ordered set of canonical columns, the row key and the row-level rules."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    alias_index: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        index: dict[str, str] = {}
        for col in self.columns:
            for k in col.spellings():
                if index.setdefault(k, col.name) != col.name:
                    raise AssertionError(f"alias {k!r} claimed by {index[k]} and {col.name}")
        object.__setattr__(self, "alias_index", index)

    def __getitem__(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


CASE_SCHEMA = TableSchema(
    name="cases",
    key=("case_id",),
    columns=(
        Column(
            "case_id",
            "id",
            True,
            (
                "mã hồ sơ",
                "số hồ sơ",
                "mã hs",
                "số hs",
                "số biên nhận",
                "dossier id",
                "case",
                "case concept name",
            ),
            "unique dossier id",
        ),
        Column(
            "procedure_id",
            "id",
            True,
            (
                "mã thủ tục",
                "thủ tục",
                "mã tthc",
                "thủ tục hành chính",
                "procedure",
                "procedure code",
            ),
            "procedure code",
        ),
        Column(
            "unit_id",
            "id",
            True,
            (
                "đơn vị",
                "cơ quan",
                "xã phường",
                "xã/phường",
                "mã đơn vị",
                "đơn vị xử lý",
                "unit",
                "office",
            ),
            "commune / ward / centre",
        ),
        Column(
            "handler_id",
            "id",
            True,
            (
                "cán bộ xử lý",
                "người xử lý",
                "cán bộ giải quyết",
                "người giải quyết",
                "handler",
                "officer",
                "case responsible",
            ),
            "officer who processed the dossier",
        ),
        Column(
            "submitted_at",
            "datetime",
            True,
            (
                "ngày tiếp nhận",
                "ngày nộp",
                "ngày nhận",
                "ngày nộp hồ sơ",
                "thời gian tiếp nhận",
                "submitted",
                "received",
                "received at",
                "case startdate",
            ),
            "received",
        ),
        Column(
            "due_at",
            "datetime",
            False,
            (
                "ngày hẹn trả",
                "ngày hẹn trả kết quả",
                "hạn giải quyết",
                "hạn xử lý",
                "due",
                "due date",
                "deadline",
                "case deadline",
            ),
            "promised date",
        ),
        Column(
            "completed_at",
            "datetime",
            False,
            (
                "ngày trả kết quả",
                "ngày hoàn thành",
                "ngày trả",
                "thời gian trả kết quả",
                "ngày kết thúc",
                "completed",
                "returned",
                "returned at",
                "case enddate",
            ),
            "result returned (empty = pending)",
        ),
        Column(
            "applicant_id",
            "id",
            False,
            (
                "người nộp",
                "người nộp hồ sơ",
                "chủ hồ sơ",
                "tổ chức cá nhân",
                "tổ chức, cá nhân",
                "tổ chức cá nhân nộp hồ sơ",
                "applicant",
                "filer",
            ),
            "filer or representative",
        ),
        Column(
            "receiver_id",
            "id",
            False,
            ("cán bộ tiếp nhận", "người tiếp nhận", "receiver", "received by"),
            "officer who received the dossier at the counter",
        ),
        Column(
            "fee_charged",
            "amount",
            False,
            (
                "phí lệ phí",
                "phí, lệ phí",
                "lệ phí",
                "số tiền",
                "số tiền thu",
                "phí",
                "fee",
                "amount",
                "fee paid",
            ),
            "fee and charge collected (VND)",
        ),
        Column(
            "fee_official",
            "amount",
            False,
            ("mức phí quy định", "mức phí", "phí quy định", "official fee", "posted fee"),
            "posted fee for this case (VND)",
        ),
        Column(
            "channel",
            "channel",
            False,
            (
                "hình thức nộp",
                "kênh",
                "kênh nộp",
                "hình thức",
                "hình thức tiếp nhận",
                "case channel",
            ),
            "online / in_person / postal",
        ),
        Column(
            "supplement_requests",
            "count",
            False,
            (
                "số lần bổ sung",
                "số lần yêu cầu bổ sung",
                "yêu cầu bổ sung",
                "bổ sung",
                "supplements",
            ),
            "requests for more documents",
        ),
        Column(
            "status", "text", False, ("trạng thái", "tình trạng", "kết quả xử lý"), "e.g. returned"
        ),
    ),
)


CATALOG_SCHEMA = TableSchema(
    name="catalog",
    key=("procedure_id", "valid_from"),
    columns=(
        Column(
            "procedure_id",
            "id",
            True,
            ("mã thủ tục", "thủ tục", "mã tthc", "procedure", "procedure code"),
            "procedure code",
        ),
        Column(
            "statutory_days",
            "days",
            False,
            (
                "thời hạn giải quyết",
                "số ngày giải quyết",
                "thời gian giải quyết",
                "thời hạn",
                "statutory term",
                "deadline days",
            ),
            "statutory processing time in working days",
        ),
        Column(
            "fee_official",
            "amount",
            False,
            (
                "mức phí quy định",
                "mức phí",
                "phí quy định",
                "phí lệ phí",
                "phí, lệ phí",
                "lệ phí",
                "phí",
                "fee",
                "official fee",
            ),
            "posted fee (VND); empty when it varies per case",
        ),
        Column("sector", "text", False, ("lĩnh vực", "ngành"), "sector, e.g. land"),
        Column("name", "text", False, ("tên thủ tục", "tên", "procedure name"), "procedure name"),
        Column(
            "valid_from",
            "datetime",
            False,
            ("hiệu lực từ", "ngày hiệu lực", "áp dụng từ", "effective from"),
            "first day this row applies (a new fee schedule starts a new row)",
        ),
    ),
)
