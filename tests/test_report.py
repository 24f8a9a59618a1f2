"""The HTML report: every section in both languages, escaping, no network, SVG, a real browser."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import warnings
import xml.etree.ElementTree as ET
import zlib
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

import integrity_signals as isig
from integrity_signals.detectors import SIGNALS
from integrity_signals.report import render_report, write_report

HOSTILE_OFFICER = "<script>alert(1)</script>"
HOSTILE_CASE = '"><img src=x onerror=alert(1)>'
SECTIONS = ("summary", "coverage", "officers", "units", "plan", "charts", "dossiers")
TOP_CASES = 20

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


@pytest.fixture(scope="module")
def job():
    """A small province with a hostile officer name (before fitting) and a hostile case id
    (on the riskiest case of the scored batch), and its report in both languages."""
    sim = isig.simulate(8_000, random_state=0, officers_per_scheme=1)
    cases = sim.cases.copy()
    cases["handler_id"] = cases["handler_id"].replace({"U002-CB05": HOSTILE_OFFICER})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the engine's flag-rate and digit warnings
        model = isig.RiskModel(random_state=0).fit(cases, catalog=sim.catalog)
        first = model.score(cases)["case_id"].iloc[0]
        cases["case_id"] = cases["case_id"].replace({first: HOSTILE_CASE})
        data = isig.validate_cases(cases)
        flags = model.score(data)
        officers = model.score_entities(data, level="handler_id")
        units = model.score_entities(data, level="unit_id")
        plan = isig.plan_inspections(
            officers, budget=6, random_share=0.2, random_state=1, flags=flags
        )
        pages = {
            "en": render_report(model, cases, top_cases=TOP_CASES),  # computes everything
            "vi": render_report(model, data, flags=flags, officers=officers, units=units,
                                plan=plan, lang="vi", top_cases=TOP_CASES),
        }  # fmt: skip
    return {"model": model, "data": data, "flags": flags, "officers": officers, "plan": plan,
            "pages": pages}  # fmt: skip


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


# --------------------------------------------------------------------------- Chromium

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found (install Debian's `chromium`; .ci/run does)",
)


def _chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
        *args, page.as_uri(),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console(stderr: str) -> list[str]:
    """The page's console messages (errors, CSP violations, uncaught exceptions)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def _load(tmp_path: Path, page: Path) -> tuple[str, list[str]]:
    run = _chromium(tmp_path, page, "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout, _console(run.stderr)


def _distinct_rows(png: Path) -> int:
    """Distinct scanlines of a PNG (8-bit RGB/RGBA), read with zlib alone.

    Rows are compared as stored, after PNG's per-row filter. A uniform image
    filters to a handful of distinct rows whatever filters the encoder picks,
    so a rendered page of text and charts has hundreds and a blank one few.
    """
    blob = png.read_bytes()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(blob):
        (length,), kind = struct.unpack(">I", blob[pos : pos + 4]), blob[pos + 4 : pos + 8]
        chunk = blob[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        pos += 12 + length
    width, height, depth, color = header[:4]
    assert depth == 8 and color in (2, 6), f"unexpected PNG format {header}"
    stride = 1 + width * (3 if color == 2 else 4)
    raw = zlib.decompress(b"".join(idat))
    assert len(raw) == height * stride
    return len({raw[i : i + stride] for i in range(0, len(raw), stride)})


@pytest.mark.chromium
@needs_chromium
def test_chromium_renders_the_report(job, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(job["pages"]["vi"], encoding="utf-8")
    dom, console = _load(tmp_path, page)
    assert not console, f"console messages from the page: {console}"
    assert 'id="dossiers"' in dom and "Kế hoạch thanh tra" in dom
    assert escape(HOSTILE_OFFICER, quote=False) in dom and "<script" not in dom

    shot = tmp_path / "report.png"
    run = _chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1280,2000")
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    assert _distinct_rows(shot) > 200, "the screenshot is (nearly) blank"


@pytest.mark.chromium
@needs_chromium
def test_chromium_checks_can_fail(job, tmp_path):
    """The checks above are not vacuous: a network reference injected into the report is
    blocked and reported by the browser, a throwing script is reported, a blank page is blank."""
    page = tmp_path / "bad.html"
    bad = '<img src="http://example.invalid/x.png"></body>'
    page.write_text(job["pages"]["en"].replace("</body>", bad), encoding="utf-8")
    _, console = _load(tmp_path, page)
    assert any("example.invalid" in line for line in console)

    script = tmp_path / "script.html"
    script.write_text("<!DOCTYPE html><p>x</p><script>throw new Error('boom')</script>")
    _, console = _load(tmp_path, script)
    assert any("Uncaught Error: boom" in line for line in console)

    blank, shot = tmp_path / "blank.html", tmp_path / "blank.png"
    blank.write_text("<!DOCTYPE html><title>blank</title>")
    _chromium(tmp_path, blank, f"--screenshot={shot}", "--window-size=1280,2000")
    assert _distinct_rows(shot) < 20
