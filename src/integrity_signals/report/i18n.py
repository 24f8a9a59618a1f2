"""The report's words in English and Vietnamese: every label the page prints.

A translation is one edit here. Both languages have the same keys, and a
Vietnamese page holds no English label (tests check both). Names shared with
the command line (signals, columns, reject reasons) are in
:mod:`integrity_signals.vocabulary`; numbers are written by
:mod:`integrity_signals.formatting`. Reason sentences and evidence texts come
from the model, which renders them.
"""

from __future__ import annotations

from ..formatting import LANGS, check_lang

__all__ = ["LANGS", "TEXT", "text_for"]

TEXT = {
    "en": {
        "title": "Risk report: administrative-procedure dossiers",
        "generated": "Generated",
        "period": "Period",
        "cases": "Dossiers",
        "units": "Units",
        "officers": "Officers",
        "to": "to",
        "contents": "Contents",
        "page": "Page",
        "summary": "Summary",
        "how_to_read": "How to read this report",
        "how_to_read_text": (
            "A flag is a reason to look, not proof. Each signal compares a dossier or an officer "
            "with peers handling the same procedure in the same unit. A dossier's risk score is "
            "the estimated chance, from 0 to 1, that it is one of the excess cases of a pattern, "
            "on its own evidence or as one of its officer's excess cases. An officer's or unit's "
            "risk score is −log10 of the combined chance of its pattern: a score of 2 means a "
            "pattern this unusual turns up by chance about once in 100, a score of 3 once in "
            "1,000. A dossier, officer or "
            "unit is flagged when, among the flagged, at most {fdr} are expected to be ordinary. "
            "A dossier can rank high because its officer is anomalous and still not be flagged: "
            "when an officer has 180 requests for documents where 67 are expected, the officer is "
            "flagged, not each request. The inspection plan adds officers drawn at random with "
            "known chances of selection, so that the inspections also estimate how common "
            "problems are."
        ),
        "data": "Data",
        "rows_read": "Rows read",
        "rows_scored": "Scored",
        "rows_quarantined": "Quarantined (not scored)",
        "quarantine_none": "none",
        "period_submitted": "Period (date received)",
        "signals_na": "Signals not applicable",
        "signals_na_none": "none: every signal can be computed from these data",
        "missing_columns": "no column {columns}",
        "cases_scored": "Dossiers scored",
        "flagged_cases": "Flagged dossiers",
        "at_fdr": "at a false-discovery rate of {fdr}",
        "flagged_officers": "Flagged officers",
        "flagged_units": "Flagged units",
        "money_card": "Money at stake",
        "money_card_note": "fees above the posted fee in flagged dossiers; all such excess: {total}",
        "of_n": "of {n}",
        "of_rows_read": "of {n} rows read",
        "coverage": "Signal coverage",
        "mismatch_note": (
            "Scored with --force although this batch is not like the data the model was "
            "fitted on, so the figures below measure that difference as much as the officers: "
        ),
        "coverage_note": (
            "Which signals the data supports. Events are the dossiers counted in the officer "
            "tests; expected is what the officers' case mix predicts."
        ),
        "signal": "Signal",
        "family": "Family",
        "status": "Status",
        "events": "Events",
        "expected": "Expected",
        "available": "available",
        "not_applicable": "not applicable",
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
        "n_cases": "Dossiers",
        "n_flagged_cases": "Flagged dossiers",
        "money": "Money at stake (VND)",
        "reasons": "Reasons",
        "plan": "Inspection plan",
        "plan_design": (
            "Budget {budget}: {n_risk} chosen by risk, {n_random} drawn at random from the "
            "{n_rest} others (of {n_entities}; seed {seed})."
        ),
        "plan_few_random": (
            "Only {n_random} drawn at random: too few to estimate how common problems are "
            "(at least {needed} are needed; {how})."
        ),
        "plan_more_share": "a random share of {share} of this budget",
        "plan_more_budget": "a budget of {budget} at this share",
        "or": "or",
        "selected_by": "Selected by",
        "by_risk": "risk",
        "by_random": "random",
        "inclusion": "Chance of selection",
        "dossiers_to_pull": "Dossiers to pull",
        "charts": "Distributions",
        "chart_case_risk": "Risk score of dossiers",
        "chart_officer_risk": "Risk score of officers",
        "chart_family": "Score of dossiers: {family}",
        "chart_signals": "Officers: observed / expected events, per signal",
        "chart_signals_note": (
            "Each panel counts officers by the ratio of their events to the number their case "
            "mix predicts (officers with at least one expected event, and every flagged officer "
            "with more events than expected; ratios beyond 1/8 and 8 are shown at the edge). "
            "Flagged officers are in red."
        ),
        "count": "count",
        "score": "score",
        "count_log": "count (log scale)",
        "flagged_series": "flagged",
        "ratio_axis": "observed / expected",
        "threshold": "flag threshold",
        "not_flagged": "not flagged",
        "top_dossiers": "Top dossiers",
        "top_dossiers_note": (
            "The {n} riskiest dossiers, flagged first, at most {per} per officer, and the "
            "dossiers to pull of the plan, each with the evidence behind it."
        ),
        "more_note": "Other flagged dossiers of these officers:",
        "more_link": "{officer} ({n} more)",
        "more_dossiers": "Other flagged dossiers, by officer",
        "more_dossiers_note": (
            "The flagged dossiers that the list above leaves out because it shows at most {per} "
            "per officer."
        ),
        "more_truncated": "… and {n} more: see the dossier flags table (flags.csv).",
        "case_id": "Dossier",
        "procedure": "Procedure",
        "submitted": "Received",
        "evidence": "Evidence",
        "n_items": "{n} items",
        "no_evidence": "No single piece of evidence stands out for this dossier.",
        "kind": "Source",
        "kind_case": "dossier",
        "kind_officer": "officer",
        "value": "Value",
        "baseline": "Baseline",
        "rarity": "How rare by chance",
        "detail": "Detail",
        "none": "None.",
        "footer": (
            "integrity_signals {version}. Model fitted {fitted} on {n_reference} reference "
            "dossiers. This file is self-contained and works offline."
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
        "page": "Trang",
        "summary": "Tóm tắt",
        "how_to_read": "Cách đọc báo cáo",
        "how_to_read_text": (
            "Gắn cờ là lý do để xem xét, không phải bằng chứng vi phạm. Mỗi tín hiệu so sánh hồ "
            "sơ hoặc cán bộ với các hồ sơ cùng thủ tục tại cùng đơn vị. Điểm rủi ro của hồ sơ là "
            "khả năng ước tính, từ 0 đến 1, rằng hồ sơ thuộc phần vượt trội của một mẫu hình, dựa "
            "trên dấu hiệu của chính hồ sơ hoặc vì là một trong các hồ sơ vượt trội của cán bộ xử "
            "lý. Điểm rủi ro của cán bộ hoặc đơn vị là −log10 của khả năng tổng hợp của mẫu hình: "
            "điểm 2 nghĩa là một mẫu bất thường như vậy chỉ xuất hiện ngẫu nhiên khoảng 1 lần "
            "trong 100, điểm 3 là 1 lần trong 1.000. Hồ sơ, cán bộ "
            "hoặc đơn vị bị gắn cờ khi trong số các mục bị gắn cờ, dự kiến không quá {fdr} là "
            "bình thường. Một hồ sơ có thể xếp hạng cao vì cán bộ xử lý có dấu hiệu bất thường mà "
            "vẫn không bị gắn cờ: khi một cán bộ có 180 lần yêu cầu bổ sung hồ sơ trong khi dự "
            "kiến là 67, cán bộ bị gắn cờ chứ không phải từng yêu cầu. Kế hoạch thanh tra bổ sung "
            "một số cán bộ được chọn ngẫu nhiên với xác suất biết trước, để kết quả thanh tra còn "
            "ước lượng được mức độ phổ biến của sai phạm."
        ),
        "data": "Dữ liệu",
        "rows_read": "Số dòng đã đọc",
        "rows_scored": "Được chấm điểm",
        "rows_quarantined": "Bị loại (không chấm điểm)",
        "quarantine_none": "không có",
        "period_submitted": "Kỳ dữ liệu (ngày tiếp nhận)",
        "signals_na": "Tín hiệu không áp dụng",
        "signals_na_none": "không có: dữ liệu cho phép tính mọi tín hiệu",
        "missing_columns": "thiếu cột {columns}",
        "cases_scored": "Hồ sơ được chấm điểm",
        "flagged_cases": "Hồ sơ bị gắn cờ",
        "at_fdr": "với tỷ lệ phát hiện sai {fdr}",
        "flagged_officers": "Cán bộ bị gắn cờ",
        "flagged_units": "Đơn vị bị gắn cờ",
        "money_card": "Số tiền nghi vấn",
        "money_card_note": (
            "phí thu cao hơn mức niêm yết trong hồ sơ bị gắn cờ; tổng số thu vượt: {total}"
        ),
        "of_n": "trên {n}",
        "of_rows_read": "trên {n} dòng đã đọc",
        "coverage": "Phạm vi tín hiệu",
        "mismatch_note": (
            "Đã buộc chấm điểm dù đợt hồ sơ này khác dữ liệu huấn luyện mô hình, nên "
            "các số liệu dưới đây đo cả sự khác biệt đó chứ không chỉ cán bộ: "
        ),
        "coverage_note": (
            "Các tín hiệu mà dữ liệu cho phép tính. Số sự kiện là số hồ sơ được tính trong kiểm "
            "định theo cán bộ; kỳ vọng là số dự báo theo cơ cấu hồ sơ của từng cán bộ."
        ),
        "signal": "Tín hiệu",
        "family": "Nhóm",
        "status": "Trạng thái",
        "events": "Số sự kiện",
        "expected": "Kỳ vọng",
        "available": "có dữ liệu",
        "not_applicable": "không áp dụng",
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
        "plan_few_random": (
            "Chỉ có {n_random} trường hợp chọn ngẫu nhiên: quá ít để ước lượng mức độ phổ biến "
            "của sai phạm (cần ít nhất {needed}; {how})."
        ),
        "plan_more_share": "tỷ lệ chọn ngẫu nhiên {share} với số lượt này",
        "plan_more_budget": "{budget} lượt thanh tra với tỷ lệ này",
        "or": "hoặc",
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
            "hồ sơ (cán bộ có ít nhất một sự kiện kỳ vọng, và mọi cán bộ bị gắn cờ có số sự kiện "
            "vượt kỳ vọng; tỷ lệ ngoài khoảng 1/8 đến 8 được đặt ở mép). Cán bộ bị gắn cờ tô màu đỏ."
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
            "{n} hồ sơ có điểm rủi ro cao nhất, hồ sơ bị gắn cờ trước, mỗi cán bộ tối đa {per} hồ "
            "sơ, cùng các hồ sơ cần rút trong kế hoạch, kèm bằng chứng của từng hồ sơ."
        ),
        "more_note": "Các hồ sơ bị gắn cờ khác của các cán bộ này:",
        "more_link": "{officer} (thêm {n})",
        "more_dossiers": "Các hồ sơ bị gắn cờ khác, theo cán bộ",
        "more_dossiers_note": (
            "Các hồ sơ bị gắn cờ không có trong danh sách trên vì mỗi cán bộ chỉ hiện tối đa {per} "
            "hồ sơ."
        ),
        "more_truncated": "… và {n} hồ sơ khác: xem bảng gắn cờ hồ sơ (flags.csv).",
        "case_id": "Mã hồ sơ",
        "procedure": "Thủ tục",
        "submitted": "Ngày tiếp nhận",
        "evidence": "Bằng chứng",
        "n_items": "{n} mục",
        "no_evidence": "Không có bằng chứng riêng lẻ nào nổi bật cho hồ sơ này.",
        "kind": "Nguồn",
        "kind_case": "hồ sơ",
        "kind_officer": "cán bộ",
        "value": "Giá trị",
        "baseline": "Mức so sánh",
        "rarity": "Mức hiếm gặp",
        "detail": "Chi tiết",
        "none": "Không có.",
        "footer": (
            "integrity_signals {version}. Mô hình được huấn luyện lúc {fitted} trên {n_reference} "
            "hồ sơ tham chiếu. Tệp này độc lập, xem được khi không có mạng."
        ),
    },
}


def text_for(lang: str, func: str = "render_report") -> dict[str, str]:
    """The label dictionary of ``lang``; the house ValueError for any other value."""
    return TEXT[check_lang(lang, func)]
