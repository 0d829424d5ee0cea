"""The digest as Markdown: what `make digest` prints and the Atom feed carries."""

from __future__ import annotations

import heapq
from operator import attrgetter

from backchannel.digest.linkbacks import by_site
from backchannel.digest.model import Digest
from backchannel.digest.questions import Question
from backchannel.digest.suggestions import mentions, phrase_starts
from backchannel.digest.themes import Theme

MAX_SHOWN = 300


def period_label(digest: Digest) -> str:
    """'since 2026-10-01' or 'so far' — how the digest names its period."""
    until = digest.until.date().isoformat()
    if digest.since is None:
        return f"up to {until}"
    return f"from {digest.since.date().isoformat()} to {until}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 theme', '2 themes', '1 reply', '3 replies'."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many or (word[:-1] + 'ies' if word.endswith('y') else word + 's')}"


# Names of the languages most often met in comments; others show as their code.
LANGUAGE_NAMES = {
    "ar": "Arabic", "de": "German", "el": "Greek", "es": "Spanish", "fa": "Persian",
    "fr": "French", "he": "Hebrew", "hi": "Hindi", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian",
    "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
    "und": "an unknown language",
}  # fmt: skip


def unread_lines(digest: Digest) -> list[str]:
    """Plain sentences about what the analysis skipped."""
    u = digest.unanalysed
    lines = []
    if u.get("links_or_emoji"):
        lines.append(
            f"{plural(u['links_or_emoji'], 'comment')} held only links or emoji: "
            "counted, but no questions or themes in them."
        )
    if u.get("other_language"):
        languages = digest.unanalysed_languages or {"und": u["other_language"]}
        for code, count in languages.items():
            name = LANGUAGE_NAMES.get(code, code)
            where = name if code == "und" else f"{name} ({code})"
            lines.append(
                f"{plural(count, 'comment')} in {where} not analysed for themes "
                "(no word segmenter or stop words for it); their questions are listed."
            )
    if u.get("truncated"):
        lines.append(
            f"{plural(u['truncated'], 'enormous comment')}: "
            "only their first 20,000 characters were read."
        )
    return lines


def theme_question(theme: Theme, asked: list[Question]) -> Question | None:
    """The question of one comment that the theme counts: the first that uses its phrases."""
    starts = phrase_starts(theme)
    return next((q for q in asked if mentions(q, starts)), asked[0] if asked else None)


def _md_text(text: str) -> str:
    # Reader text stays literal in Markdown: no HTML, no emphasis, no links.
    out = text.replace("\\", "\\\\")
    for ch in "`*_[]<>#|":
        out = out.replace(ch, "\\" + ch)
    return out


def _answered_in(d: Digest, q: Question, titles: dict[str, str]) -> str:
    """'in a reply <url>' or 'in “Post” <url>': where a question was answered."""
    url = d.answer_url(q)
    link = f" <{url}>" if url else ""
    if q.answered_by == "author-reply":
        return f"in a reply{link}"
    return f"in “{_md_text(titles.get(q.answered_by or '', q.answered_by or ''))}”{link}"


def _header(d: Digest, label: str) -> list[str]:
    """The title and the period's totals in one sentence."""
    t = d.totals
    return [
        f"# Feedback digest {d.until.date().isoformat()}: {_md_text(d.site)}",
        "",
        (
            f"{label.capitalize()}: {plural(t.get('comments', 0), 'new comment')} from "
            f"{plural(t.get('readers', 0), 'reader')}, "
            f"{plural(t.get('linkbacks', 0), 'linkback')}, "
            f"{plural(t.get('open_questions', 0), 'open question')}, "
            f"{plural(sum(1 for th in d.themes if th.gap), 'theme')} no post covers."
        ),
        "",
    ]


def _suggestions(d: Digest) -> list[str]:
    """The suggested next posts, each with its themes, readers and a few questions."""
    out = ["## Suggested next posts", ""]
    texts = {q.comment_id: q for q in d.questions}
    if not d.suggestions:
        out += ["Nothing is both open and recurring yet.", ""]
    for n, s in enumerate(d.suggestions, 1):
        out.append(f"{n}. **{_md_text(s.title)}** (`backchannel draft --suggestion {n}`)")
        if s.themes:
            out.append(f"   - themes: {', '.join(_md_text(x) for x in s.themes)}")
        out.append(f"   - raised by: {', '.join(_md_text(r) for r in s.readers)}")
        for cid in s.questions[:4]:
            q = texts.get(cid)
            if q:
                out.append(
                    f"   - “{_md_text(q.text)}” ({_md_text(q.author)}, "
                    f"<{d.comment_url(q.comment_id, q.article)}>)"
                )
    return out


def _questions(d: Digest, label: str, titles: dict[str, str]) -> list[str]:
    """The open questions by article (the first MAX_SHOWN), then who was answered."""
    out = ["", "## Open questions", ""]
    open_qs = d.open_questions
    if not open_qs:
        out += ["No open questions.", ""]
    current = None
    # nsmallest is sorted()[:n] without sorting every open question.
    for q in heapq.nsmallest(MAX_SHOWN, open_qs, key=attrgetter("article", "date")):
        if q.article != current:
            current = q.article
            out += ["", f"### {_md_text(titles.get(q.article, q.article))}", ""]
        out.append(
            f"- **unanswered** “{_md_text(q.text)}” — {_md_text(q.author)}, "
            f"{q.date[:10]} <{d.comment_url(q.comment_id, q.article)}>"
        )
    if len(open_qs) > MAX_SHOWN:
        out += ["", f"… and {len(open_qs) - MAX_SHOWN} more in the JSON digest."]
    answered = [q for q in d.questions if q.answered][:MAX_SHOWN]
    if answered:
        out += [
            "",
            f"Answered {label}: "
            + ", ".join(f"{_md_text(q.author)} ({_answered_in(d, q, titles)})" for q in answered),
            "",
        ]
    return out


def _themes(d: Digest) -> list[str]:
    """The recurring themes, gaps flagged, each with up to three of its questions."""
    out = ["", "## Themes and gaps", ""]
    asked: dict[str, list[Question]] = {}
    for q in d.questions:
        asked.setdefault(q.comment_id, []).append(q)
    if not d.themes:
        out.append("Too little text for recurring themes (a theme needs two readers).")
    for th in d.themes:
        flag = " — **gap: no post covers it**" if th.gap else ""
        related = f" (also: {', '.join(map(_md_text, th.related))})" if th.related else ""
        out.append(
            f"- **{_md_text(th.phrase)}**{related}: {plural(th.count, 'comment')} on "
            f"{plural(len(th.articles), 'article')} by {plural(len(th.readers), 'reader')}, "
            f"{plural(len(th.questions), 'question')} from "
            f"{plural(len(th.askers), 'reader')}{flag}"
        )
        for cid in th.questions[:3]:
            q = theme_question(th, asked.get(cid, []))
            if q:
                out.append(
                    f"  - “{_md_text(q.text)}” ({_md_text(q.author)}, "
                    f"<{d.comment_url(q.comment_id, q.article)}>)"
                )
    return out


def _engagement(d: Digest) -> list[str]:
    """The table of the most discussed articles."""
    out = [
        "",
        "## Engagement",
        "",
        "| article | new | comments | linkbacks | readers | last |",
        "|---|---|---|---|---|---|",
    ]
    for a in d.articles[:60]:
        out.append(
            f"| {_md_text(a.title)} | {a.new_comments} | {a.comments} | {a.linkbacks} | "
            f"{a.readers} | {(a.last_activity or '—')[:10]} |"
        )
    return out


def _linkbacks(d: Digest, titles: dict[str, str]) -> list[str]:
    """Who links to the site, by linking site."""
    out = ["", "## Who links to you", ""]
    if not d.linkbacks:
        out.append("No linkbacks yet.")
    for site, entries in by_site(d.linkbacks):
        out.append(f"- **{_md_text(site)}**")
        for e in entries:
            new = "new: " if e.new else ""
            out.append(
                f"  - {new}[{_md_text(e.title)}](<{e.source}>) on "
                f"{_md_text(titles.get(e.article, e.article))} ({e.kind}, {e.date[:10]})"
            )
    return out


def render_md(digest: Digest) -> str:
    """The Markdown digest."""
    d = digest
    label = period_label(d)
    titles = {a.slug: a.title for a in d.articles}
    out = [
        *_header(d, label),
        *_suggestions(d),
        *_questions(d, label, titles),
        *_themes(d),
        *_engagement(d),
        *_linkbacks(d, titles),
    ]
    unread = unread_lines(d)
    if unread:
        out += ["", "## Not analysed", ""] + [f"- {line}" for line in unread]
    return "\n".join(out).rstrip() + "\n"
