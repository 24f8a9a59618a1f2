"""The HTML report: every section in both languages, escaping, no network, SVG, a real browser."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import integrity_signals as isig
from conftest import HOSTILE_CASE, HOSTILE_OFFICER, TOP_CASES
from integrity_signals import vocabulary
from integrity_signals.report import render_report, write_report
from integrity_signals.report.i18n import TEXT
from integrity_signals.signals import ISOLATION, SIGNALS

SECTIONS = ("summary", "coverage", "officers", "units", "plan", "charts", "dossiers")

WORDS = {
    "en": ["Risk report", "Summary", "How to read this report", "Signal coverage",
           "Ranked officers", "Ranked units", "Inspection plan", "Distributions", "Top dossiers",
           "Risk score", "Reasons", "Officer", "Unit", "Chance of selection", "Evidence",
           "a reason to look, not proof", "−log10", "5%"],
    "vi": ["Báo cáo rủi ro", "Tóm tắt", "Cách đọc báo cáo", "Phạm vi tín hiệu", "Xếp hạng cán bộ",
           "Xếp hạng đơn vị", "Kế hoạch thanh tra", "Phân bố", "Hồ sơ rủi ro cao nhất",
           "Điểm rủi ro", "Lý do", "Cán bộ", "Đơn vị", "Hồ sơ", "Xác suất được chọn", "Bằng chứng",
           "không phải bằng chứng vi phạm", "−log10", "5%"],
}  # fmt: skip


@pytest.fixture
def job(report_job):
    return report_job


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_every_section_in_each_language(job, lang):
    page = job["pages"][lang]
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in page and '<meta charset="utf-8">' in page
    ids = {attrs.get("id") for _, attrs in Tags(page).tags}
    assert set(SECTIONS) <= ids
    missing = [w for w in WORDS[lang] if w not in page]
    assert not missing, f"labels missing from the {lang} page: {missing}"


def test_content_matches_the_model(job):
    page, flags, officers = job["pages"]["vi"], job["flags"], job["officers"]
    text = "".join(Tags(page).text)
    assert f"{len(flags):,}".replace(",", ".") in text  # cases scored, Vietnamese grouping
    assert f"{int(flags['flagged'].sum()):,}".replace(",", ".") in text
    for officer in officers["handler_id"].head(25):
        assert officer in text
    for officer in job["plan"]["handler_id"]:
        assert officer in text
    assert "ngẫu nhiên" in text and "theo rủi ro" in text  # selected_by, translated
    for s in SIGNALS:  # the coverage table lists every signal (its code only as data)
        assert f'data-signal="{s.name}"' in page and f"<code>{s.name}</code>" not in page
    # the riskiest dossiers and the plan's, each with its explain() evidence folded in <details>
    pulled = isig.plan_dossiers(job["plan"], flags)["case_id"]
    assert TOP_CASES <= page.count("<details>") <= TOP_CASES + len(pulled)
    top = flags["case_id"].iloc[1]
    n_records = len(job["model"].explain(top, data=job["data"]))
    assert f"Bằng chứng ({n_records} mục)" in text


def test_hostile_values_appear_only_escaped(job):
    for page in job["pages"].values():
        assert HOSTILE_OFFICER not in page and HOSTILE_CASE not in page
        assert escape(HOSTILE_OFFICER) in page and escape(HOSTILE_CASE) in page
        parsed = Tags(page)
        tags = {tag for tag, _ in parsed.tags}
        assert "script" not in tags and "img" not in tags
        assert not [a for _, attrs in parsed.tags for a in attrs if a.startswith("on")]
        text = "".join(parsed.text)
        assert HOSTILE_OFFICER in text and HOSTILE_CASE in text  # shown to the reader as text


def test_no_network_references(job):
    for page in job["pages"].values():
        assert "http://" not in page and "https://" not in page
        assert "@import" not in page and "url(" not in page
        tags = Tags(page).tags
        for tag, attrs in tags:
            assert tag not in {"script", "link", "iframe", "object", "embed", "img"}
            for name in ("src", "href", "xlink:href", "action", "srcset", "data"):
                value = attrs.get(name)
                assert value is None or value.startswith("#"), (tag, name, value)
        policy = [a["content"] for t, a in tags if a.get("http-equiv") == "Content-Security-Policy"]
        assert policy and "default-src 'none'" in policy[0]  # the browser refuses any load


def test_svg_charts_are_well_formed(job):
    page = job["pages"]["en"]
    charts = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert len(charts) >= 2 + 3 + 5  # case and officer risk, three families, signals
    for chart in charts:
        root = ET.fromstring(chart)
        assert root.tag == "svg" and root.find("title") is not None
        assert root.findall("rect")
        assert "xmlns" not in chart  # inline SVG needs no namespace URL


def test_custom_title_and_write_report(job, tmp_path):
    path = write_report(
        tmp_path / "out" / "report.html",
        job["model"],
        job["data"],
        flags=job["flags"],
        officers=job["officers"],
        units=job["model"].score_entities(job["data"], level="unit_id"),
        plan=job["plan"],
        title="Q3 <draft> & review </style><script>",
        top_cases=0,
    )
    page = path.read_text(encoding="utf-8")
    assert isinstance(path, Path) and "<title>Q3 &lt;draft&gt; &amp; review" in page
    assert page.count("</style>") == 1 and "<script" not in page  # the running head is escaped
    assert "<details>" not in page


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lang": "fr"}, ValueError, r"The 'lang' parameter of render_report must be one of"),
        ({"top_cases": -1}, ValueError, r"'top_cases' parameter .* must be an int >= 0"),
        ({"title": 3}, TypeError, r"'title' parameter .* must be None or a str"),
        ({"flags": "x"}, TypeError, r"'flags' parameter .* must be None or a DataFrame"),
    ],
)
def test_bad_arguments(job, kwargs, error, match):
    with pytest.raises(error, match=match):
        render_report(job["model"], job["data"], **kwargs)


def test_frames_missing_columns(job):
    flags = job["flags"].drop(columns="reasons")
    with pytest.raises(isig.SchemaError, match=r"'flags' parameter .* without \['reasons'\]"):
        render_report(job["model"], job["data"], flags=flags)


# --------------------------------------------------------------------------- the reader's language


class ReaderText(HTMLParser):
    """What a reader sees, the model's own sentences (reasons, evidence details) included,
    without the style sheet."""

    MODEL: set[str] = set()

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: inside model text or a style sheet
        self.parts: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag in {"meta", "br", "img", "input", "link"}:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skip = tag == "style" or bool(classes & self.MODEL)
        self.stack.append(skip or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if self.stack and tag not in {"meta", "br", "img", "input", "link"}:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def _words(texts) -> set[str]:
    out = set()
    for text in texts:
        text = re.sub(r"\{[^}]*\}", " ", text)  # placeholders
        out |= {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)}
    return out


def _labels(lang: str) -> list[str]:
    tables = (vocabulary.SIGNAL_NAMES, vocabulary.FAMILY_NAMES, vocabulary.COLUMN_NAMES,
              vocabulary.REJECT_NAMES)  # fmt: skip
    return [*TEXT[lang].values(), *(v for table in tables for v in table[lang].values())]


#: Words both languages write: file and library names, log10.
SHARED_WORDS = {"csv", "flags", "integrity", "signals", "log"}


def test_both_languages_have_the_same_labels():
    assert set(TEXT["en"]) == set(TEXT["vi"])
    for table in (vocabulary.SIGNAL_NAMES, vocabulary.FAMILY_NAMES, vocabulary.COLUMN_NAMES,
                  vocabulary.REJECT_NAMES):  # fmt: skip
        assert set(table["en"]) == set(table["vi"])
    # every signal of the registry and the isolation forest, named in both languages
    assert {s.name for s in (*SIGNALS, ISOLATION)} == set(vocabulary.SIGNAL_NAMES["vi"])
    assert {str(r) for r in isig.RejectReason} == set(vocabulary.REJECT_NAMES["vi"])
    assert {c.name for c in (*isig.CASE_SCHEMA.columns, *isig.CATALOG_SCHEMA.columns)} <= set(
        vocabulary.COLUMN_NAMES["vi"]
    )


def _english_on(page: str) -> set[str]:
    """English label words on a Vietnamese page (outside the model's own sentences)."""
    english = _words(_labels("en")) - SHARED_WORDS
    return _words([ReaderText(page).text]) & english


def test_no_vietnamese_label_falls_back_to_english(job):
    same = [k for k in TEXT["en"] if TEXT["en"][k] == TEXT["vi"][k]]
    assert not same, f"Vietnamese labels equal to the English ones: {same}"
    for table in (vocabulary.SIGNAL_NAMES, vocabulary.FAMILY_NAMES, vocabulary.COLUMN_NAMES,
                  vocabulary.REJECT_NAMES):  # fmt: skip
        assert not [k for k in table["en"] if table["en"][k] == table["vi"][k]]
    english = _words(_labels("en")) - SHARED_WORDS
    assert not english & _words(_labels("vi")), "an English word in a Vietnamese label"
    seen = _english_on(job["pages"]["vi"])
    assert not seen, f"English words on the Vietnamese page: {sorted(seen)}"


def test_the_fallback_check_finds_an_english_label(job, monkeypatch):
    monkeypatch.setitem(TEXT["vi"], "reasons", TEXT["en"]["reasons"])
    monkeypatch.setitem(
        vocabulary.SIGNAL_NAMES["vi"], "waiver", vocabulary.SIGNAL_NAMES["en"]["waiver"]
    )
    page = render_report(job["model"], job["data"], flags=job["flags"], officers=job["officers"],
                         plan=job["plan"], lang="vi", top_cases=0)  # fmt: skip
    assert {"reasons", "waived", "paid"} <= _english_on(page)


def _outside_version(text: str) -> str:
    return text.replace(isig.__version__, "")


def test_numbers_are_written_the_readers_way(job):
    vi = _outside_version(ReaderText(job["pages"]["vi"]).text)
    # 1,234 would be English thousands; 0,004 is a Vietnamese decimal (no thousands start at 0)
    thousands = r"(?<![\d,.])[1-9]\d{0,2}(,\d{3})+(?![\d,])"
    assert not re.findall(thousands, vi), "English thousands on the Vietnamese page"
    assert not re.findall(r"(?<![\d.])\d+\.\d{1,2}(?![\d.])", vi), "English decimals"
    assert re.search(r"\d\.\d{3}(?!\d)", vi) and re.search(r"\d,\d(?!\d)", vi)
    en = _outside_version(ReaderText(job["pages"]["en"]).text)
    vi_thousands = r"(?<![\d,.])[1-9]\d{0,2}(\.\d{3})+(?![\d.])"
    assert not re.findall(vi_thousands, en) and re.search(r"\d,\d{3}(?!\d)", en)
    assert "đồng" in vi and " VND" in en


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_inspectors_see_no_codes_or_p_values(job, lang):
    text = ReaderText(job["pages"][lang]).text
    assert not re.findall(r"\w+__\w+", text), "feature codes shown"
    assert not re.findall(r"\d[eE][-+]?\d", text), "numbers in scientific notation shown"
    codes = {s.name for s in SIGNALS if "_" in s.name} | {str(r) for r in isig.RejectReason}
    assert not [c for c in codes if re.search(rf"\b{c}\b", text)]
    rare = "hiếm" if lang == "vi" else "rare"
    assert rare in text  # the evidence's strength, in words


@pytest.mark.filterwarnings("ignore:.*of cases are flagged")  # the model's, on this small batch
def test_the_report_states_rows_read_scored_and_quarantined(job):
    cases = job["data"].cases.copy()
    cases.loc[cases.index[3], "fee_charged"] = -5000.0
    cases.loc[cases.index[7], "case_id"] = cases["case_id"].iloc[8]  # both copies go
    cases.loc[cases.index[11], "completed_at"] = cases["submitted_at"].iloc[11] - pd.Timedelta(
        days=3
    )
    data = isig.validate_cases(cases)
    assert data.n_rejected == 4
    page = render_report(job["model"], data, lang="vi", top_cases=0)
    text = " ".join(ReaderText(page).text.split())
    n_in = f"{len(cases):,}".replace(",", ".")
    assert f"Số dòng đã đọc {n_in}" in text
    assert f"Được chấm điểm {len(data.cases):,}".replace(",", ".") in text
    assert (
        "Bị loại (không chấm điểm) 4: 2 trùng mã; 1 ngày trả trước ngày tiếp nhận; "
        "1 số tiền âm" in text
    )  # fmt: skip  (by count, then by reason code)
    assert "Kỳ dữ liệu (ngày tiếp nhận)" in text and "Tín hiệu không áp dụng" in text


def test_signals_not_applicable_are_named_with_the_missing_column(job):
    cases = job["data"].cases.drop(columns=["fee_charged", "fee_official"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = isig.RiskModel(random_state=0, use_isolation_forest=False).fit(cases)
        page = render_report(model, cases, lang="vi", top_cases=0)
    text = " ".join(ReaderText(page).text.split())
    assert "Thu phí cao hơn mức niêm yết hoặc mức thường thu" in text
    assert "(thiếu cột phí, lệ phí đã thu)" in text


def _chart_counts(page: str, signal: str, series: str) -> int:
    figure = re.search(rf'<figure data-signal="{signal}">(.*?)</figure>', page, re.DOTALL)
    assert figure, f"no chart of {signal}"
    return sum(int(n) for n in re.findall(rf"<title>{series}: (\d+)</title>", figure.group(1)))


def test_every_flagged_officer_is_in_the_charts_of_its_signals(job):
    officers = job["officers"].copy()
    lone = officers.index[officers["flagged"]][0]  # a flagged officer whose events are rare
    officers.loc[lone, ["obs_excess_fee", "exp_excess_fee"]] = (276.0, 0.16)
    page = render_report(job["model"], job["data"], flags=job["flags"], officers=officers,
                         plan=job["plan"], top_cases=0)  # fmt: skip
    obs, exp = officers["obs_excess_fee"], officers["exp_excess_fee"]
    flagged = officers["flagged"] & ((exp >= 1) | (obs > exp))
    assert _chart_counts(page, "excess_fee", "flagged") == int(flagged.sum()) >= 1


def test_top_dossiers_show_a_few_per_officer_and_link_the_rest(job):
    page, flags = job["pages"]["vi"], job["flags"]
    plan_dossiers = set(isig.plan_dossiers(job["plan"], flags)["case_id"])
    rows = re.findall(r'<tr id="(case-\d+)"[^>]*>(.*?)</tr>', page, re.DOTALL)
    listed = {}
    for _, row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        listed[unescape(cells[1])] = unescape(cells[2])
    ids = {anchor for anchor, _ in rows}
    per_officer = pd.Series([o for c, o in listed.items() if c not in plan_dossiers]).value_counts()
    assert per_officer.max() <= 3 and len(set(listed.values())) >= 5
    assert plan_dossiers <= set(listed)  # every dossier to pull has its evidence
    plan_part = page[page.index('id="plan"') : page.index('id="charts"')]
    links = re.findall(r'<a href="#(case-\d+)" class="case">', plan_part)
    assert len(links) == len(plan_dossiers) and set(links) <= ids
    # the officers' other flagged dossiers are linked from the list and listed at the end
    more = flags[flags["flagged"] & flags["handler_id"].isin(set(listed.values()))]
    more = more[~more["case_id"].isin(set(listed))]
    assert len(more), "the fixture should have an officer with more flagged dossiers"
    assert 'id="more"' in page and '<a href="#more-1">' in page
    tail = page[page.index('<section id="more">') :]
    assert all(escape(c) in tail for c in more["case_id"].head(100))
