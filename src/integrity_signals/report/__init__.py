"""The self-contained HTML report: rankings, reasons, inspection plan, charts and evidence.

One file, no script, no network: :func:`render_report` returns the page,
:func:`write_report` writes it. Labels in English or Vietnamese (``lang``).
"""

from .render import render_report, write_report

__all__ = ["render_report", "write_report"]
