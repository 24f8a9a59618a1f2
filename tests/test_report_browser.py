"""The HTML report in a real browser: it renders, loads nothing, prints every column on A4
and does not scroll sideways on a 390 px phone screen.

These tests need Debian's ``chromium`` and ``poppler-utils`` (``pdftotext``). They
are skipped where those are missing, except when ``ISIG_REQUIRE_CHROMIUM=1`` (set
by ``.ci/run``): then a missing browser fails the run instead of passing it
silently.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import struct
import subprocess
import zlib
from html import escape
from pathlib import Path

import pytest

from conftest import HOSTILE_OFFICER

pytestmark = pytest.mark.chromium

#: Set by .ci/run: a missing browser is a failure, not a skip.
REQUIRED = os.environ.get("ISIG_REQUIRE_CHROMIUM") == "1"
_TOOLS = {
    "chromium": ("chromium", "chromium-browser"),
    "pdftotext": ("pdftotext",),
}
_INSTALL = "install Debian's chromium and poppler-utils (.ci/run does)"


def _tool(name: str) -> str:
    """The path of a tool the tests need; skip, or fail when the run requires it."""
    found = next(filter(None, map(shutil.which, _TOOLS[name])), None)
    if found is None:
        message = f"{name} not found: {_INSTALL}"
        if REQUIRED:
            pytest.fail(f"{message}; ISIG_REQUIRE_CHROMIUM=1 makes this a failure")
        pytest.skip(message)
    return found


@pytest.fixture
def job(report_job):
    return report_job


def _chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        _tool("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
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


# --------------------------------------------------------------------------- print (A4)

A4 = (595.3, 841.9)  # points


def _pdf_words(tmp_path: Path, page: Path) -> list[dict]:
    """The report printed by Chromium, read back: per page its size, text and word boxes."""
    pdf = tmp_path / (page.stem + ".pdf")
    run = _chromium(tmp_path, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert run.returncode == 0 and pdf.exists(), run.stderr[-2000:]
    boxes = tmp_path / (page.stem + ".bbox.html")
    subprocess.run([_tool("pdftotext"), "-bbox", str(pdf), str(boxes)], check=True, timeout=120)
    pages = []
    for attrs, body in re.findall(r"<page ([^>]*)>(.*?)</page>", boxes.read_text(), re.DOTALL):
        size = dict(re.findall(r'(\w+)="([\d.]+)"', attrs))
        words = [
            (float(x1), html.unescape(w))
            for x1, w in re.findall(r'<word [^>]*xMax="([\d.]+)"[^>]*>(.*?)</word>', body)
        ]
        pages.append({"width": float(size["width"]), "height": float(size["height"]),
                      "words": [w for _, w in words], "right": max(x for x, _ in words)})  # fmt: skip
    return pages


def _section_pages(pages: list[dict], title: str, next_title: str) -> list[dict]:
    """The pages from the first that holds ``title`` to the one before ``next_title``'s."""

    def holds(page, heading):
        words, text = heading.split(), page["words"]
        return any(text[i : i + len(words)] == words for i in range(len(text)))

    first = next(i for i, p in enumerate(pages) if holds(p, title))
    last = next(i for i, p in enumerate(pages) if i > first and holds(p, next_title))
    return pages[first:last]


def _columns(page: str, section: str) -> list[str]:
    part = page[page.index(f'<section id="{section}">') :]
    head = re.search(r"<thead>(.*?)</thead>", part, re.DOTALL).group(1)
    return [html.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]


@pytest.mark.slow
def test_print_shows_every_column_of_the_officers_and_the_plan_on_a4(job, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(job["pages"]["vi"], encoding="utf-8")
    pages = _pdf_words(tmp_path, page)
    for p in pages:
        assert abs(p["width"] - A4[0]) < 2 and abs(p["height"] - A4[1]) < 2, "not A4"
        assert p["right"] <= p["width"], "text beyond the right edge"
        assert p["words"][:3] == ["Báo", "cáo", "rủi"], "no running head on this page"
        assert "Trang" in p["words"]  # "Trang 3 / 40"
    officers = _section_pages(pages, "Xếp hạng cán bộ", "Xếp hạng đơn vị")
    plan = _section_pages(pages, "Kế hoạch thanh tra", "Phân bố")
    for section, printed in (("officers", officers), ("plan", plan)):
        words = {w for p in printed for w in p["words"]}
        for column in _columns(job["pages"]["vi"], section):
            missing = set(column.split()) - words
            assert not missing, f"column {column!r} of {section} cut from the print: {missing}"
    # the last columns' contents: the top officer's reasons, every dossier to pull
    reasons = job["officers"]["reasons"].iloc[0].split("; ")[0].split()
    assert set(reasons) <= {w for p in officers for w in p["words"]}
    plan_words = {w.strip(",") for p in plan for w in p["words"]}
    pulled = {w.strip(",") for cell in job["plan"]["dossiers"] for w in cell.split()}
    assert pulled <= plan_words
    # the evidence under each dossier is unfolded on paper
    assert "hiếm" in {w.strip(":") for p in pages for w in p["words"]}


# --------------------------------------------------------------------------- phone (390 px)


def _page_width_at(tmp_path: Path, report: str, width: int) -> tuple[int, int]:
    """The report's scroll width and viewport width when shown ``width`` px wide.

    The report runs no script, so it is shown in an iframe of that width whose
    parent page reads the sizes; headless Chromium's own window is wider than a
    phone.
    """
    frame = tmp_path / f"frame-{width}.html"
    frame.write_text(
        "<!DOCTYPE html><html><body style='margin:0'>"
        f"<iframe id='f' style='width:{width}px;height:800px;border:0' "
        f"srcdoc='{escape(report, quote=True)}'></iframe><script>"
        "const f = document.getElementById('f');"
        "f.addEventListener('load', () => { const d = f.contentDocument.documentElement;"
        "document.body.dataset.size = d.scrollWidth + 'x' + d.clientWidth; });"
        "</script></body></html>",
        encoding="utf-8",
    )
    dom, _ = _load(tmp_path, frame)
    scroll, client = re.search(r'data-size="(\d+)x(\d+)"', dom).groups()
    return int(scroll), int(client)


@pytest.mark.slow
def test_a_phone_screen_does_not_scroll_sideways(job, tmp_path):
    for lang in ("vi", "en"):
        scroll, client = _page_width_at(tmp_path, job["pages"][lang], 390)
        assert 360 <= client <= 390
        assert scroll <= client, f"{lang}: the page is {scroll} px wide on a {client} px screen"
    wide = job["pages"]["vi"].replace("</main>", "<div style='width:900px'>x</div></main>")
    scroll, client = _page_width_at(tmp_path, wide, 390)
    assert scroll > client  # the check can fail


# --------------------------------------------------------------------------- CI


def test_a_missing_browser_fails_when_the_run_requires_it(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setitem(globals(), "REQUIRED", True)
    with pytest.raises(pytest.fail.Exception, match="ISIG_REQUIRE_CHROMIUM=1"):
        _tool("chromium")
    monkeypatch.setitem(globals(), "REQUIRED", False)
    with pytest.raises(pytest.skip.Exception, match="chromium not found"):
        _tool("chromium")


def test_ci_installs_the_browser_and_requires_it():
    script = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "export ISIG_REQUIRE_CHROMIUM=1" in script
    assert "apt-get install -y -qq chromium poppler-utils" in script
