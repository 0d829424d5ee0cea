"""`backchannel draft`: turn a digest suggestion into content/drafts/<slug>.md.

The draft quotes the questions, credits the readers by name and lists the
comment ids in `Answers:`, so publishing it closes the loop on the site. Reader
text is escaped for Markdown and HTML: it is data in the author's post.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

from backchannel.build.articles import ArticleInfo
from backchannel.digest.files import DigestError
from backchannel.model import Item
from backchannel.store.atomic import atomic_write

DRAFTS = "drafts"
# A comment with no question sentence is quoted up to this many characters.
QUOTE_CHARS = 400


def literal_md(text: str) -> str:
    """Text that Markdown renders exactly as written (no HTML, links or emphasis)."""
    out = html.escape(" ".join(text.split()), quote=False).replace("\\", "\\\\")
    for ch in "`*_[]#|{}":
        out = out.replace(ch, "\\" + ch)
    return out


def plain_title(text: str) -> str:
    """A one-line title without the characters themes would need to escape."""
    return " ".join("".join(ch for ch in text if ch not in '<>&"\\').split())


def names(readers: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(readers) <= 1:
        return "".join(readers)
    return ", ".join(readers[:-1]) + " and " + readers[-1]


def draft_text(
    title: str,
    slug: str,
    suggestion: dict[str, Any],
    questions: list[dict[str, Any]],
    *,
    articles: dict[str, ArticleInfo],
    now: datetime,
) -> str:
    """The Markdown draft for one suggestion."""
    chosen = [q for q in questions if q["comment_id"] in suggestion["questions"]]
    ids = list(dict.fromkeys(q["comment_id"] for q in chosen))
    readers = list(dict.fromkeys(q["author"] for q in chosen)) or suggestion.get("readers", [])
    credit = literal_md(names(readers))
    lines = [
        f"Title: {plain_title(title)}",
        f"Date: {now.strftime('%Y-%m-%d %H:%M')}",
        "Status: draft",
        f"Slug: {slug}",
        f"Answers: {', '.join(ids)}",
        f"Summary: Prompted by questions from {credit}.",
        "",
        f"*This post answers questions readers asked. Thank you, {credit}.*",
        "",
        "## What you asked",
        "",
    ]
    for q in chosen:
        article = articles.get(q["article"])
        where = literal_md(article.title if article else q["article"])
        link = (
            f"{{filename}}/{article.source_path}#comment-{q['comment_id']}"
            if article
            else f"#comment-{q['comment_id']}"
        )
        lines += [
            f"> {literal_md(q['text'])}",
            ">",
            f"> — {literal_md(q['author'])}, on [{where}]({link})",
            "",
        ]
    if suggestion.get("themes"):
        lines += [
            "Readers keep coming back to: "
            + ", ".join(literal_md(t) for t in suggestion["themes"])
            + ".",
            "",
        ]
    lines += ["## My answer", "", "(Write the answer here. Set `Status: published` when done.)", ""]
    return "\n".join(lines)


def for_comments(comments: list[Item]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A suggestion answering exactly these comments, and their questions.

    The questions are as the JSON digest lists them (a comment with no question
    sentence is quoted from its text).
    """
    from backchannel.digest.analysis import analyse
    from backchannel.digest.text import strip_markup

    questions: list[dict[str, Any]] = []
    for c in comments:
        texts = list(analyse(c.body).questions)
        if not texts:
            plain = " ".join(strip_markup(c.body).split())
            texts = [plain if len(plain) <= QUOTE_CHARS else plain[:QUOTE_CHARS] + "…"]
        questions += [
            {"comment_id": c.id, "article": c.article, "author": c.author, "text": t} for t in texts
        ]
    suggestion = {
        "title": "",
        "questions": [c.id for c in comments],
        "themes": [],
        "readers": list(dict.fromkeys(c.author for c in comments)),
    }
    return suggestion, questions


def write_draft(content: Path, slug: str, text: str, taken: set[str]) -> Path:
    """Create content/drafts/<slug>.md; never overwrite a draft or reuse a slug."""
    path = content / DRAFTS / f"{slug}.md"
    if path.exists():
        raise DigestError(
            f"backchannel: {path} already exists; not overwriting it "
            "(give another --title, or edit that draft)"
        )
    if slug in taken:
        raise DigestError(
            f"backchannel: an article with slug {slug!r} already exists; give another --title"
        )
    try:
        # No replace: a draft created meanwhile is never clobbered either.
        atomic_write(path, text.encode("utf-8"), replace=False, mode=0o644)
    except FileExistsError:
        raise DigestError(f"backchannel: {path} already exists; not overwriting it") from None
    except OSError as exc:
        raise DigestError(f"backchannel: cannot write {path}: {exc.strerror}") from exc
    return path
