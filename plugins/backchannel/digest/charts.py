"""Inline SVG charts for the HTML digest: no JavaScript, readable without colour."""

from __future__ import annotations

from markupsafe import Markup, escape

from backchannel.digest.model import ArticleStats
from backchannel.digest.render_md import plural


def activity_svg(
    weeks: list[tuple[str, int, int]], width: int = 640, height: int = 160, unit: str = "week"
) -> Markup:
    """Stacked bars per week (or month, year): comments (solid), linkbacks (light)."""
    if not weeks:
        return Markup("")
    top = max(c + n for _, c, n in weeks) or 1
    pad_l, pad_b, pad_t = 28, 22, 10
    plot_w, plot_h = width - pad_l - 4, height - pad_b - pad_t
    bar_w = plot_w / len(weeks)
    parts = [
        (
            f'<svg class="bc-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
            f'aria-labelledby="activity-title"><title id="activity-title">Comments and linkbacks '
            f"per {unit}, {escape(weeks[0][0])} to {escape(weeks[-1][0])}</title>"
        ),
        (
            f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - 4}" y2="{pad_t + plot_h}" '
            'class="axis"/>'
        ),
        f'<text x="{pad_l - 4}" y="{pad_t + 8}" text-anchor="end" class="tick">{top}</text>',
        f'<text x="{pad_l - 4}" y="{pad_t + plot_h}" text-anchor="end" class="tick">0</text>',
    ]
    tick = {"week": lambda w: w[5:], "month": lambda w: w[:7], "year": lambda w: w[:4]}[unit]
    for idx, (week, comments, links) in enumerate(weeks):
        x = pad_l + idx * bar_w + 1
        h_c = plot_h * comments / top
        h_l = plot_h * links / top
        y_c = pad_t + plot_h - h_c
        label = f"{unit} of {week}: {plural(comments, 'comment')}, {plural(links, 'linkback')}"
        parts.append(f"<g><title>{escape(label)}</title>")
        parts.append(
            f'<rect x="{x:.1f}" y="{y_c:.1f}" width="{max(bar_w - 2, 1):.1f}" '
            f'height="{h_c:.1f}" class="bar-comments"/>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y_c - h_l:.1f}" width="{max(bar_w - 2, 1):.1f}" '
            f'height="{h_l:.1f}" class="bar-linkbacks"/></g>'
        )
        if idx % max(1, len(weeks) // 6) == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 6}" class="tick">{escape(tick(week))}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def article_bars_svg(stats: list[ArticleStats], limit: int = 12, width: int = 640) -> Markup:
    """Horizontal bars per article: all comments, with the period's new ones overlaid."""
    rows = [s for s in stats if s.comments or s.linkbacks][:limit]
    if not rows:
        return Markup("")
    top = max(s.comments + s.linkbacks for s in rows) or 1
    row_h, label_w = 26, 250
    height = row_h * len(rows) + 6
    plot_w = width - label_w - 40
    parts = [
        (
            f'<svg class="bc-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
            'aria-labelledby="bars-title"><title id="bars-title">Comments per article '
            "(dark: new in this period)</title>"
        )
    ]
    for idx, s in enumerate(rows):
        y = idx * row_h + 4
        title = s.title if len(s.title) <= 34 else s.title[:33] + "…"
        total_w = plot_w * (s.comments + s.linkbacks) / top
        new_w = plot_w * s.new_comments / top
        parts.append(
            f"<g><title>{escape(s.title)}: {plural(s.comments, 'comment')} ({s.new_comments} new), "
            f"{plural(s.linkbacks, 'linkback')}, {plural(s.readers, 'reader')}</title>"
        )
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" class="label">'
            f"{escape(title)}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{total_w:.1f}" height="{row_h - 8}" '
            'class="bar-total"/>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{new_w:.1f}" height="{row_h - 8}" '
            'class="bar-comments"/>'
        )
        parts.append(
            f'<text x="{label_w + total_w + 4:.1f}" y="{y + 14}" class="tick">'
            f"{s.comments}+{s.linkbacks}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
