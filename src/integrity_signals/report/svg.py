"""Inline SVG histograms, drawn by hand: no JavaScript, no library, no network.

The output is well-formed XML (only the five XML entities, every element
closed) inside the HTML page, so it renders in any browser and prints
sharply. Text is escaped like everything else.
"""

from __future__ import annotations

import math

import numpy as np

from .html import Markup, esc

__all__ = ["Series", "bin_counts", "histogram", "nice_ticks"]

#: Colours of stacked series, in order: ordinary, flagged.
PALETTE = ("#8aa4c8", "#b3261e", "#e0a526", "#4c8c4a")


class Series:
    """One stacked layer of a histogram: a label, a count per bin and a colour."""

    __slots__ = ("color", "counts", "label")

    def __init__(self, label: str, counts, color: str):
        self.label, self.counts, self.color = label, np.asarray(counts, dtype=float), color


def bin_counts(values, edges) -> np.ndarray:
    """Counts per bin; values beyond the edges go to the first or last bin, NaN is dropped.

    >>> bin_counts([-5, 0.5, 1.5, 99, float("nan")], [0, 1, 2]).tolist()
    [2, 2]
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    edges = np.asarray(edges, dtype=float)
    return np.histogram(np.clip(v, edges[0], edges[-1]), bins=edges)[0]


def nice_ticks(low: float, high: float, n: int = 5, *, integer: bool = False) -> list[float]:
    """About ``n`` round tick values covering [low, high] (whole numbers with ``integer``).

    >>> nice_ticks(0, 83)
    [0.0, 20.0, 40.0, 60.0, 80.0]
    >>> nice_ticks(0, 2, integer=True)
    [0.0, 1.0, 2.0]
    """
    if not high > low:
        return [float(low)]
    raw = (high - low) / max(n, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if integer:
        step = max(1.0, math.ceil(step))
    first = math.ceil(low / step) * step
    count = int((high - first) / step + 1e-9) + 1
    return [float(round(first + i * step, 10)) for i in range(count)]


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _default_format(v: float) -> str:
    return f"{v:,.0f}"


#: Counts above this use a log scale.
LOG_ABOVE = 100


def histogram(
    edges,
    series: list[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    y_label_log: str | None = None,
    x_ticks: list[tuple[float, str]],
    marker: tuple[float, str] | None = None,
    legend: bool = True,
    count_format=_default_format,
    width: int = 440,
    height: int = 220,
) -> Markup:
    """A stacked histogram over ``edges``.

    ``x_ticks`` are ``(value, label)`` pairs on the x scale. Counts are on a
    log scale (``log10(1 + count)``, ticks at 1, 10, 100...) when the tallest
    bar is above :data:`LOG_ABOVE` (then ``y_label_log`` names the axis), else
    linear. ``marker`` draws a dashed vertical line at ``(value, label)`` (e.g. the
    flag threshold). ``count_format`` writes the count ticks.
    """
    edges = np.asarray(edges, dtype=float)
    left, right, top, bottom = 52, 12, 26, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    total = np.sum([s.counts for s in series], axis=0) if series else np.zeros(len(edges) - 1)
    ymax = float(total.max()) if total.size else 0.0
    log_y = ymax > LOG_ABOVE

    def yscale(c):
        return np.log10(1 + c) if log_y else c

    ytop = max(yscale(ymax), 1.0)

    def x(v):
        return left + plot_w * (v - edges[0]) / (edges[-1] - edges[0])

    def y(c):
        return top + plot_h * (1 - yscale(c) / ytop)

    out = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{esc(title)}">',
        f"<title>{esc(title)}</title>",
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafbfc" stroke="#d9dee7"/>',
    ]
    ticks = (
        [0, *(10**k for k in range(int(ytop) + 1))]
        if log_y
        else nice_ticks(0, max(ymax, 1.0), integer=True)
    )
    for t in ticks:
        if yscale(t) <= ytop + 1e-9:
            ty = _num(y(t))
            out.append(
                f'<line x1="{left}" x2="{left + plot_w}" y1="{ty}" y2="{ty}" stroke="#e6e9ef"/>'
            )
            out.append(
                f'<text x="{left - 4}" y="{ty}" font-size="10" text-anchor="end" '
                f'dominant-baseline="middle">{esc(count_format(t))}</text>'
            )
    base = np.zeros(len(edges) - 1)
    for s in series:
        for i, c in enumerate(s.counts):
            if c > 0:
                x0, x1 = x(edges[i]), x(edges[i + 1])
                y0, y1 = y(base[i] + c), y(base[i])
                out.append(
                    f'<rect x="{_num(x0 + 0.5)}" y="{_num(y0)}" width="{_num(max(x1 - x0 - 1, 0.5))}" '
                    f'height="{_num(max(y1 - y0, 0.5))}" fill="{s.color}"><title>{esc(s.label)}: '
                    f"{esc(count_format(c))}</title></rect>"
                )
        base = base + s.counts
    for value, label in x_ticks:
        tx = _num(x(value))
        out.append(
            f'<line x1="{tx}" x2="{tx}" y1="{top + plot_h}" y2="{top + plot_h + 4}" stroke="#5b6474"/>'
        )
        out.append(
            f'<text x="{tx}" y="{top + plot_h + 15}" font-size="10" text-anchor="middle">{esc(label)}</text>'
        )
    if marker is not None and edges[0] <= marker[0] <= edges[-1]:
        mx = _num(x(marker[0]))
        out.append(
            f'<line x1="{mx}" x2="{mx}" y1="{top}" y2="{top + plot_h}" stroke="#1d2433" '
            'stroke-dasharray="4 3"/>'
        )
        out.append(
            f'<text x="{mx}" y="{top - 4}" font-size="10" text-anchor="middle">{esc(marker[1])}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" font-size="11" '
        f'text-anchor="middle">{esc(x_label)}</text>'
    )
    out.append(
        f'<text x="12" y="{top + plot_h / 2:.0f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2:.0f})">{esc(y_label_log if log_y and y_label_log else y_label)}</text>'
    )
    lx = left + plot_w
    for s in reversed(series if legend else []):
        out.append(f'<rect x="{lx - 10}" y="6" width="10" height="10" fill="{s.color}"/>')
        out.append(
            f'<text x="{lx - 14}" y="15" font-size="10" text-anchor="end">{esc(s.label)}</text>'
        )
        lx -= 18 + 6 * len(s.label)
    out.append("</svg>")
    return Markup("".join(out))
