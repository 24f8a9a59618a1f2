"""Words of the report in English and Vietnamese.

Every label the page prints comes from here, so a translation is one edit.
Reason sentences and evidence texts are written by the model (in English);
the report shows them as they are, next to translated signal names.
"""

from __future__ import annotations

from ..signals import signal

__all__ = ["LANGS", "coverage_status", "family_label", "signal_label", "text_for"]

LANGS = ("en", "vi")

_TEXT = {
    "en": {
        "title": "Risk report: administrative-procedure dossiers",
        "generated": "Generated",
        "period": "Period",
        "cases": "Cases",
        "units": "Units",
        "officers": "Officers",
        "to": "to",
        "contents": "Contents",
        "summary": "Summary",
        "how_to_read": "How to read this report",
        "how_to_read_text": (
            "A flag is a reason to look, not proof. Each signal compares a dossier or an officer "
            "with peers handling the same procedure in the same unit. The risk score is −log10 of "
            "the combined p-value: a score of 2 means a pattern this unusual turns up by chance "
            "about once in 100, a score of 3 once in 1,000. A case, officer or unit is flagged "
            "when its q-value is at most {fdr}: among the flagged, at most {fdr} are expected to "
            "be ordinary. A dossier can rank high because its officer is anomalous and still not "
            "be flagged: when an officer has 180 requests for documents where 67 are expected, "
            "the officer is flagged, not each request. The inspection plan adds officers drawn at random "
            "with known inclusion probabilities, so that the inspections also estimate how common "
            "problems are."
        ),
        "cases_scored": "Cases scored",
        "flagged_cases": "Flagged cases",
        "at_fdr": "at a false-discovery rate of {fdr}",
        "flagged_officers": "Flagged officers",
        "flagged_units": "Flagged units",
        "money_card": "Money at stake (VND)",
        "money_card_note": "fees above the posted fee in flagged cases; all such excess: {total}",
        "of_n": "of {n}",
        "coverage": "Signal coverage",
        "coverage_note": (
            "Which signals the data supports. Events are the dossiers counted in the officer "
            "tests; expected is what the officers' case mix predicts."
        ),
        "signal": "Signal",
        "family": "Family",
        "code": "Code",
        "status": "Status",
        "events": "Events",
        "expected": "Expected",
        "available": "available",
        "not_applicable": "not applicable",
        "missing_column": "no column {column}",
        "ranked_officers": "Ranked officers",
        "ranked_units": "Ranked units",
        "top_n_of": "The {n} riskiest of {total}.",
        "rank": "Rank",
        "officer": "Officer",
        "unit": "Unit",
        "risk_score": "Risk score",
        "flagged": "Flagged",
        "yes": "yes",
        "no": "no",
        "n_cases": "Cases",
        "n_flagged_cases": "Flagged cases",
        "money": "Money at stake (VND)",
        "reasons": "Reasons",
        "plan": "Inspection plan",
        "plan_design": (
            "Budget {budget}: {n_risk} chosen by risk, {n_random} drawn at random from the "
            "{n_rest} others (of {n_entities}; seed {seed})."
        ),
        "selected_by": "Selected by",
        "by_risk": "risk",
        "by_random": "random",
        "inclusion": "Inclusion probability",
        "dossiers_to_pull": "Dossiers to pull",
        "charts": "Distributions",
        "chart_case_risk": "Risk score of cases",
        "chart_officer_risk": "Risk score of officers",
        "chart_family": "Score of cases: {family}",
        "chart_signals": "Officers: observed / expected events, per signal",
        "chart_signals_note": (
            "Each panel counts officers by the ratio of their events to the number their case "
            "mix predicts (officers with at least one expected event; ratios beyond 1/8 and 8 "
            "are shown at the edge). Flagged officers are in red."
        ),
        "count": "count",
        "score": "score",
        "count_log": "count (log scale)",
        "flagged_series": "flagged",
        "ratio_axis": "observed / expected",
        "threshold": "flag threshold",
        "not_flagged": "not flagged",
        "top_dossiers": "Top dossiers",
        "top_dossiers_note": "The {n} riskiest cases, flagged first, with the evidence behind each.",
        "case_id": "Case",
        "procedure": "Procedure",
        "submitted": "Submitted",
        "evidence": "Evidence",
        "n_items": "{n} items",
        "no_evidence": "No single piece of evidence stands out for this case.",
        "kind": "Source",
        "kind_case": "case",
        "kind_officer": "officer",
        "feature": "Feature",
        "value": "Value",
        "baseline": "Baseline",
        "p_value": "p-value",
        "detail": "Detail",
        "none": "None.",
        "footer": (
            "integrity_signals {version}. Model fitted {fitted} on {n_reference} reference cases. "
            "This file is self-contained and works offline."
        ),
    },
    "vi": {
        "title": "Báo cáo rủi ro hồ sơ thủ tục hành chính",
        "generated": "Ngày lập",
        "period": "Kỳ dữ liệu",
        "cases": "Hồ sơ",
        "units": "Đơn vị",
        "officers": "Cán bộ",
        "to": "đến",
        "contents": "Mục lục",
        "summary": "Tóm tắt",
        "how_to_read": "Cách đọc báo cáo",
        "how_to_read_text": (
            "Gắn cờ là lý do để xem xét, không phải bằng chứng vi phạm. Mỗi tín hiệu so sánh hồ "
            "sơ hoặc cán bộ với các hồ sơ cùng thủ tục tại cùng đơn vị. Điểm rủi ro là −log10 của "
            "giá trị p tổng hợp: điểm 2 nghĩa là một mẫu bất thường như vậy chỉ xuất hiện ngẫu "
            "nhiên khoảng 1 lần trong 100, điểm 3 là 1 lần trong 1.000. Hồ sơ, cán bộ hoặc đơn vị "
            "bị gắn cờ khi giá trị q không vượt quá {fdr}: trong số các mục bị gắn cờ, dự kiến "
            "không quá {fdr} là bình thường. Một hồ sơ có thể xếp hạng cao vì cán bộ xử lý có "
            "dấu hiệu bất thường mà vẫn không bị gắn cờ: khi một cán bộ có 180 lần yêu cầu bổ "
            "sung hồ sơ trong khi dự kiến là 67, cán bộ bị gắn cờ chứ không phải từng yêu cầu. "
            "Kế hoạch thanh tra bổ sung một số "
            "cán bộ được chọn ngẫu nhiên với xác suất biết trước, để kết quả thanh tra còn ước "
            "lượng được mức độ phổ biến của sai phạm. Lý do và bằng chứng do mô hình ghi bằng "
            "tiếng Anh."
        ),
        "cases_scored": "Hồ sơ được chấm điểm",
        "flagged_cases": "Hồ sơ bị gắn cờ",
        "at_fdr": "với tỷ lệ phát hiện sai {fdr}",
        "flagged_officers": "Cán bộ bị gắn cờ",
        "flagged_units": "Đơn vị bị gắn cờ",
        "money_card": "Số tiền nghi vấn (đồng)",
        "money_card_note": (
            "phí thu cao hơn mức niêm yết trong hồ sơ bị gắn cờ; tổng số thu vượt: {total}"
        ),
        "of_n": "trên {n}",
        "coverage": "Phạm vi tín hiệu",
        "coverage_note": (
            "Các tín hiệu mà dữ liệu cho phép tính. Số sự kiện là số hồ sơ được tính trong kiểm "
            "định theo cán bộ; kỳ vọng là số dự báo theo cơ cấu hồ sơ của từng cán bộ."
        ),
        "signal": "Tín hiệu",
        "family": "Nhóm",
        "code": "Mã",
        "status": "Trạng thái",
        "events": "Số sự kiện",
        "expected": "Kỳ vọng",
        "available": "có dữ liệu",
        "not_applicable": "không áp dụng",
        "missing_column": "thiếu cột {column}",
        "ranked_officers": "Xếp hạng cán bộ",
        "ranked_units": "Xếp hạng đơn vị",
        "top_n_of": "{n} trường hợp rủi ro nhất trên tổng số {total}.",
        "rank": "Hạng",
        "officer": "Cán bộ",
        "unit": "Đơn vị",
        "risk_score": "Điểm rủi ro",
        "flagged": "Gắn cờ",
        "yes": "có",
        "no": "không",
        "n_cases": "Số hồ sơ",
        "n_flagged_cases": "Hồ sơ gắn cờ",
        "money": "Số tiền nghi vấn (đồng)",
        "reasons": "Lý do",
        "plan": "Kế hoạch thanh tra",
        "plan_design": (
            "Số lượt thanh tra {budget}: {n_risk} chọn theo mức rủi ro, {n_random} chọn ngẫu nhiên "
            "trong {n_rest} trường hợp còn lại (trên tổng số {n_entities}; hạt giống {seed})."
        ),
        "selected_by": "Cách chọn",
        "by_risk": "theo rủi ro",
        "by_random": "ngẫu nhiên",
        "inclusion": "Xác suất được chọn",
        "dossiers_to_pull": "Hồ sơ cần rút",
        "charts": "Phân bố",
        "chart_case_risk": "Điểm rủi ro của hồ sơ",
        "chart_officer_risk": "Điểm rủi ro của cán bộ",
        "chart_family": "Điểm của hồ sơ: nhóm {family}",
        "chart_signals": "Cán bộ: tỷ lệ sự kiện quan sát / kỳ vọng, theo tín hiệu",
        "chart_signals_note": (
            "Mỗi biểu đồ đếm số cán bộ theo tỷ lệ giữa số sự kiện thực tế và số dự báo theo cơ cấu "
            "hồ sơ (chỉ cán bộ có ít nhất một sự kiện kỳ vọng; tỷ lệ ngoài khoảng 1/8 đến 8 được "
            "đặt ở mép). Cán bộ bị gắn cờ tô màu đỏ."
        ),
        "count": "số lượng",
        "score": "điểm",
        "count_log": "số lượng (thang log)",
        "flagged_series": "gắn cờ",
        "ratio_axis": "quan sát / kỳ vọng",
        "threshold": "ngưỡng gắn cờ",
        "not_flagged": "không gắn cờ",
        "top_dossiers": "Hồ sơ rủi ro cao nhất",
        "top_dossiers_note": (
            "{n} hồ sơ có điểm rủi ro cao nhất, hồ sơ bị gắn cờ trước, kèm bằng chứng của từng hồ sơ."
        ),
        "case_id": "Mã hồ sơ",
        "procedure": "Thủ tục",
        "submitted": "Ngày tiếp nhận",
        "evidence": "Bằng chứng",
        "n_items": "{n} mục",
        "no_evidence": "Không có bằng chứng riêng lẻ nào nổi bật cho hồ sơ này.",
        "kind": "Nguồn",
        "kind_case": "hồ sơ",
        "kind_officer": "cán bộ",
        "feature": "Đặc trưng",
        "value": "Giá trị",
        "baseline": "Mức so sánh",
        "p_value": "Giá trị p",
        "detail": "Chi tiết",
        "none": "Không có.",
        "footer": (
            "integrity_signals {version}. Mô hình được huấn luyện lúc {fitted} trên {n_reference} "
            "hồ sơ tham chiếu. Tệp này độc lập, xem được khi không có mạng."
        ),
    },
}

_FAMILIES = {
    "en": {"timing": "Timing", "fees": "Fees", "handlers": "Officers and applicants"},
    "vi": {"timing": "Thời gian xử lý", "fees": "Phí, lệ phí", "handlers": "Cán bộ và người nộp"},
}

def text_for(lang: str, func: str = "render_report") -> dict[str, str]:
    """The label dictionary of ``lang``; a clear error for any other value."""
    if lang not in _TEXT:
        raise ValueError(
            f"The 'lang' parameter of {func} must be one of {LANGS}. Got {lang!r} instead."
        )
    return _TEXT[lang]


def signal_label(name: str, lang: str) -> str:
    """A signal's name for people (from the signal registry); the code for one not known there."""
    try:
        label = signal(name).label[lang]
    except KeyError:
        return name
    return label[:1].upper() + label[1:]


def family_label(family: str, lang: str) -> str:
    """A signal family's name for people."""
    return _FAMILIES[lang].get(family, family)


def coverage_status(status: str, lang: str) -> tuple[bool, str]:
    """``model.coverage_`` status as (usable, label), e.g. "not applicable: no fee_charged"."""
    text = _TEXT[lang]
    if status == "ok":
        return True, text["available"]
    detail = status.split(":", 1)[1].strip() if ":" in status else status
    if detail.startswith("no "):
        detail = text["missing_column"].format(column=detail[3:])
    return False, f"{text['not_applicable']}: {detail}"
