"""The digest as one self-contained HTML page (theme CSS inlined, SVG charts, no JS)."""

from __future__ import annotations

import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from backchannel.digest.charts import activity_svg, article_bars_svg
from backchannel.digest.linkbacks import by_site
from backchannel.digest.model import Digest
from backchannel.digest.questions import Question
from backchannel.digest.render_md import MAX_SHOWN, period_label, theme_question, unread_lines

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
THEME_CSS = Path("static") / "css" / "backchannel.css"
MAX_SHOWN_ARTICLES = 60
SUGGESTION_QUESTIONS = 4  # comments whose questions a suggestion shows


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def theme_css(theme_path: str | Path | None) -> str:
    """The site theme's stylesheet, to inline (so the file works opened from disk)."""
    if not theme_path:
        return ""
    path = Path(theme_path) / THEME_CSS
    try:
        return path.read_text("utf-8").replace("</", "<\\/")
    except OSError:
        logger.warning("backchannel: theme stylesheet %s not found; digest unstyled", path)
        return ""


def _joined(qs: list[Question]) -> Question:
    """A comment's questions as one entry."""
    return qs[0] if len(qs) == 1 else qs[0]._replace(text=" ".join(q.text for q in qs))


def render_html(digest: Digest, theme_path: str | Path | None = None) -> str:
    """The HTML digest."""
    titles = {a.slug: a.title for a in digest.articles}
    by_comment: dict[str, list[Question]] = {}
    for q in digest.questions:
        by_comment.setdefault(q.comment_id, []).append(q)
    # One entry per comment: "Do you sample? And if you sample, how…" reads as asked.
    # An entry is the comment's question list; it is joined only if it is shown.
    grouped: dict[str, list[list[Question]]] = {}
    for qs in by_comment.values():
        grouped.setdefault(qs[0].article, []).append(qs)
    # Articles with the most open questions first; open before answered inside.
    ordered = sorted(
        grouped.items(), key=lambda kv: (-sum(not qs[0].answered for qs in kv[1]), kv[0])
    )
    # A page a person reads: the busiest articles' questions; the JSON has them all.
    # (Only the articles shown have their entries sorted.)
    shown, kept = 0, []
    for art, unsorted in ordered:
        if shown >= MAX_SHOWN:
            break
        entries = sorted(unsorted, key=lambda qs: (qs[0].answered, qs[0].date))
        kept.append((art, [_joined(qs) for qs in entries[: MAX_SHOWN - shown]]))
        shown += len(kept[-1][1])
    # The page shows the questions of a suggestion's first few comments only.
    suggested = {cid for s in digest.suggestions for cid in s.questions[:SUGGESTION_QUESTIONS]}
    joined_by_comment = {cid: [_joined(by_comment[cid])] for cid in suggested if cid in by_comment}
    # Per theme, the question of each of its first comments that uses its phrases.
    theme_questions = {
        (t.phrase, cid): [q]
        for t in digest.themes
        for cid in t.questions[:3]
        if (q := theme_question(t, by_comment.get(cid, [])))
    }
    template = _env().get_template("digest.html")
    return template.render(
        d=digest,
        day=digest.until.date().isoformat(),
        generated=digest.generated.strftime("%Y-%m-%d %H:%M %Z"),
        period_label=period_label(digest),
        theme_css=Markup(theme_css(theme_path)),
        digest_css=Markup((TEMPLATES / "digest.css").read_text("utf-8")),
        gaps=[t for t in digest.themes if t.gap],
        open_comments=len({q.comment_id for q in digest.open_questions}),
        questions_by_article=kept,
        hidden_questions=sum(len(qs) for _, qs in ordered) - shown,
        articles_shown=digest.articles[:MAX_SHOWN_ARTICLES],
        by_comment=joined_by_comment,
        suggestion_questions=SUGGESTION_QUESTIONS,
        titles=titles,
        article_of=digest.comment_articles,
        activity_svg=activity_svg(digest.activity, unit=digest.activity_unit),
        theme_questions=theme_questions,
        bars_svg=article_bars_svg(digest.articles),
        linkbacks_by_site=by_site(digest.linkbacks),
        unread=unread_lines(digest),
    )
