"""Charts of the sign-off report as inline SVG: readable without JavaScript, in print and in a PDF.

Each chart is an ``<svg role="img">`` with a ``<title>`` naming what it shows (screen readers and axe
read it) and the figures written beside the bars, so nothing depends on telling colours apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

#: Fill of each series; dark enough for white text on it to meet WCAG contrast.
COLOURS = {
    "critical": "#7f0000",
    "high": "#b71c1c",
    "medium": "#8a4b00",
    "low": "#1a4f8a",
    "info": "#455a64",
    "passed": "#1b5e20",
    "failed": "#b71c1c",
    "could_not_check": "#6a1b9a",
    "pending": "#8a4b00",
    "not_applicable": "#455a64",
}


def stacked_bars(
    title: str,
    rows: Sequence[tuple[str, Sequence[tuple[str, str, int]]]],
    *,
    width: int = 640,
    label_width: int = 200,
) -> Markup:
    """Horizontal stacked bars: ``rows`` = (row label, [(series key, series label, value), ...]).

    Bars are scaled to the largest row total; a row with nothing shows "0". A legend names the series.
    """
    bar_height, gap, top = 22, 10, 8
    totals = [sum(value for _key, _label, value in series) for _name, series in rows]
    scale = (width - label_width - 60) / max(max(totals, default=0), 1)
    series_seen: dict[str, str] = {}
    parts: list[str] = []
    y = top
    for (name, series), total in zip(rows, totals, strict=True):
        parts.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" font-size="12">{escape(name)}</text>')
        x = float(label_width)
        for key, label, value in series:
            if value <= 0:
                continue
            series_seen.setdefault(key, label)
            length = value * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                f'fill="{COLOURS.get(key, "#37474f")}"><title>{escape(name)}: {escape(label)} {value}</title></rect>'
            )
            if length >= 18:
                parts.append(
                    f'<text x="{x + length / 2:.1f}" y="{y + 15}" text-anchor="middle" font-size="11" '
                    f'fill="#ffffff">{value}</text>'
                )
            x += length
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="12">{total}</text>')
        y += bar_height + gap
    legend_x = float(label_width)
    for key, label in series_seen.items():
        parts.append(
            f'<rect x="{legend_x:.1f}" y="{y + 2}" width="12" height="12" fill="{COLOURS.get(key, "#37474f")}"/>'
        )
        parts.append(f'<text x="{legend_x + 16:.1f}" y="{y + 12}" font-size="12">{escape(label)}</text>')
        # CJK characters are about twice as wide as Latin ones at the same font size.
        legend_x += 24 + sum(13.0 if ord(char) > 0x2E80 else 7.5 for char in label)
    height = y + 24
    body = "".join(parts)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )
