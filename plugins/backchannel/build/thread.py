"""Turn store items into the thread objects templates read.

Pure functions of (items, articles, settings): the Pelican handlers in `bake`
and the fast republisher both call them, so a page built either way is the same.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import pass_context
from markupsafe import Markup

from backchannel.build.fragments import include
from backchannel.build.render import ALLOWED_TAGS, LINK_REL, render_markdown
from backchannel.model import Item, Kind, MentionType
from backchannel.settings import Resolved

logger = logging.getLogger(__name__)

SITE_FEED = "feeds/comments.atom.xml"


def feed_url(thread_id: str) -> str:
    """Path (relative to SITEURL) of one article's comment feed."""
    return f"feeds/comments/{thread_id}.atom.xml"


@dataclass
class Link:
    """A post that answered a comment."""

    title: str
    url: str


@dataclass
class Answer:
    """A comment that a post answers."""

    comment_id: str
    author: str
    article_title: str
    url: str


class _Dated:
    """The two renderings of a `date` the templates show, made when asked for."""

    date: datetime
    date_format: str

    @property
    def date_iso(self) -> str:
        """The date for `datetime=` attributes and feeds."""
        return self.date.isoformat(timespec="seconds")

    @property
    def date_text(self) -> str:
        """The date as DATE_FORMAT prints it."""
        return self.date.strftime(self.date_format)


@dataclass
class CommentNode(_Dated):
    """One comment as the templates see it, with its replies."""

    id: str
    author: str
    author_url: str | None
    date: datetime
    date_format: str
    is_author: bool
    parent: str | None
    depth: int = 0
    children: list[CommentNode] = field(default_factory=list)
    answered_in: list[Link] = field(default_factory=list)
    item: Item | None = None

    @property
    def html(self) -> Markup:
        """The body as safe HTML (looked up when a template or feed asks for it)."""
        return render_markdown(self.item.body) if self.item else Markup("")


@dataclass
class LinkbackView(_Dated):
    """One trackback, pingback or webmention as the templates see it."""

    id: str
    kind: str
    mention_type: str | None
    source: str
    site: str
    title: str
    author: str
    author_url: str | None
    date: datetime
    date_format: str
    item: Item | None = None

    @property
    def excerpt_html(self) -> Markup:
        """The excerpt as safe HTML (looked up when a template asks for it)."""
        return render_markdown(self.item.body) if self.item and self.item.body else Markup("")


@dataclass
class Endpoints:
    """Absolute receiver URLs the article page points at."""

    comment: str
    reply: str  # the no-JS reply page, missing only the parent's id
    token: str
    comments_json: str
    webmention: str
    pingback: str
    trackback: str


@dataclass
class Thread:
    """Everything an article page shows of its feedback."""

    id: str
    endpoints: Endpoints
    comments: list[CommentNode] = field(default_factory=list)
    linkbacks: list[LinkbackView] = field(default_factory=list)
    comment_count: int = 0
    linkback_count: int = 0
    prompted_by: list[str] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    # The article's URL (relative to SITEURL), read once: Pelican works `article.url` out
    # again on every access, and list pages show the counts of every article.
    article_url: str = ""
    # Set by the build (fragments.py): the hash of what the thread is made of, and the
    # build's cache of rendered partials. Without them `partial` renders every time.
    fingerprint: str = field(default="", repr=False, compare=False)
    fragments: Any = field(default=None, repr=False, compare=False)
    # Comment id -> the posts answering it, on a thread made without its items (threads.py).
    answered: dict[str, list[Link]] = field(default_factory=dict, repr=False, compare=False)
    # Set by the build (threads.py) on a thread made without its items: called when a
    # template or feed first asks for `comments` or `linkbacks`, it returns them.
    load: Callable[[Thread], tuple[list[CommentNode], list[LinkbackView]]] | None = field(
        default=None, repr=False, compare=False
    )
    # `counts` renderings of this build, by (SITEURL, counts_show_empty).
    shown_counts: dict[tuple[Any, bool], Markup] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __getattr__(self, name: str) -> Any:
        # Only reached when `comments` or `linkbacks` are not set: the build's threads load
        # their items when a page or feed needs them, and drop them again (`release`).
        load = self.__dict__.get("load")
        if name not in ("comments", "linkbacks") or load is None:
            raise AttributeError(name)
        self.comments, self.linkbacks = load(self)
        return self.__dict__[name]

    def release(self) -> None:
        """Forget the comments and linkbacks of a thread that can load them again."""
        if self.load is not None:
            self.__dict__.pop("comments", None)
            self.__dict__.pop("linkbacks", None)

    @pass_context
    def partial(self, context: Any, name: str) -> Markup:
        """The partial `name` as `{% include %}` would render it here, from the cache if it can."""

        def make() -> str:
            return include(context, name, thread=self)

        # Outside a build (the republisher) there is no cache to take it from.
        if self.fragments is None or not self.fingerprint:
            return Markup(make())
        page = (context.get("SITEURL"), context.get("output_file"))
        return Markup(self.fragments.get((name, self.id, self.fingerprint, *page), make))

    @pass_context
    def counts(self, context: Any, show_empty: bool = False) -> Markup:
        """`backchannel/counts.html` as `{% include %}` would render it here.

        Rendered once per SITEURL and `show_empty` in a build rather than on each of the
        pages listing the article (about seven): the partial reads `thread`, `SITEURL`,
        `counts_show_empty` and the settings, as the fast republisher, which renders it
        once per SITEURL for every listing page, relies on too.
        """
        key = (context.get("SITEURL"), bool(show_empty))
        text = self.shown_counts.get(key)
        if text is None:
            name = "backchannel/counts.html"
            text = Markup(include(context, name, thread=self, counts_show_empty=show_empty))
            self.shown_counts[key] = text
        return text

    @property
    def feed_url(self) -> str:
        """The comment feed of the thread, relative to SITEURL."""
        return feed_url(self.id)

    @property
    def allowed_tags(self) -> list[str]:
        """The HTML tags a comment may use (the sanitizer's allow-list), for the form's help."""
        return sorted(ALLOWED_TAGS)

    @property
    def link_rel(self) -> str:
        """The rel every link in a comment gets."""
        return LINK_REL

    def all_comments(self) -> list[CommentNode]:
        """Every comment, depth first, in display order."""
        out: list[CommentNode] = []
        stack = list(reversed(self.comments))
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out


def endpoints_for(thread_id: str, settings: Resolved) -> Endpoints:
    """The receiver URLs for one article."""
    base = settings.receiver_url
    quoted = quote(thread_id)
    return Endpoints(
        comment=f"{base}/comments",
        reply=f"{base}/comments/new?article={quoted}&parent=",
        token=f"{base}/token?article={quoted}",
        comments_json=f"{base}/comments?article={quoted}",
        webmention=f"{base}/webmention",
        pingback=f"{base}/pingback",
        trackback=f"{base}/trackback/{quoted}",
    )


def thread_id_of(article: Any) -> str:
    """An article's stable thread id: explicit metadata, else its slug."""
    metadata = getattr(article, "metadata", {})
    # Pelican lower-cases metadata keys and keeps the dash of `Backchannel-Id:`.
    explicit = metadata.get("backchannel-id") or metadata.get("backchannel_id")
    return str(explicit or article.slug)


def answers_of(article: Any) -> list[str]:
    """Comment ids listed in an article's `Answers:` metadata."""
    raw = article.metadata.get("answers", "") if hasattr(article, "metadata") else ""
    if isinstance(raw, (list, tuple)):
        raw = ",".join(str(r) for r in raw)
    return [part.strip() for part in str(raw).replace(";", ",").split(",") if part.strip()]


def comment_node(item: Item, settings: Resolved) -> CommentNode:
    """The template view of one comment (without its replies)."""
    author = settings.site_author if item.author_reply else item.author
    return CommentNode(
        id=item.id,
        author=author,
        author_url=item.author_url,
        date=item.date,
        # Formatted by date_text rather than in the template: Pelican's strftime
        # filter switches locales on every call and cost more than the markup.
        date_format=settings.date_format,
        is_author=item.author_reply,
        parent=item.parent,
        item=item,
    )


def linkback_view(item: Item, settings: Resolved) -> LinkbackView:
    """The template view of one linkback."""
    site = urlsplit(item.source or "").hostname or ""
    mention = item.mention_type
    if item.kind == Kind.WEBMENTION and mention is None:
        mention = MentionType.MENTION
    return LinkbackView(
        id=item.id,
        kind=item.kind.value,
        mention_type=mention.value if mention else None,
        source=item.source or "",
        site=site,
        title=item.title or "",
        author=item.author,
        author_url=item.author_url,
        date=item.date,
        date_format=settings.date_format,
        item=item,
    )


def build_thread(thread_id: str, items: Iterable[Item], settings: Resolved) -> Thread:
    """Nest comments by parent (ordered by date) and list linkbacks apart.

    A reply whose parent is not published is shown at the top level rather than
    hidden: the reader's words matter more than the tree's shape.
    """
    thread = Thread(id=thread_id, endpoints=endpoints_for(thread_id, settings))
    comments = sorted((i for i in items if i.kind == Kind.COMMENT), key=lambda i: (i.date, i.id))
    nodes = {item.id: comment_node(item, settings) for item in comments}
    for node in nodes.values():
        parent = nodes.get(node.parent) if node.parent else None
        if parent is None:
            thread.comments.append(node)
        else:
            parent.children.append(node)
    for node in thread.all_comments():
        for child in node.children:
            child.depth = node.depth + 1
    links = sorted((i for i in items if i.is_linkback), key=lambda i: (i.date, i.id))
    thread.linkbacks = [linkback_view(item, settings) for item in links]
    thread.comment_count = len(nodes)
    thread.linkback_count = len(thread.linkbacks)
    return thread


def group_by_thread(
    items: Iterable[Item], known: set[str], aliases: dict[str, str]
) -> tuple[dict[str, list[Item]], list[Item]]:
    """Group items by the thread they belong to, following aliases; also return orphans.

    An article id that differs only in case (an import guessed `learn-x`, the
    author later wrote `Slug: Learn-X`) still finds its thread, when only one
    article has that id in any case.
    """
    groups: dict[str, list[Item]] = defaultdict(list)
    orphans: list[Item] = []
    thread_of = thread_key_finder(known, aliases)
    for item in items:
        key = thread_of(item.article, item.origin_url)
        if key is None:
            orphans.append(item)
        else:
            groups[key].append(item)
    return groups, orphans


def thread_key_finder(
    known: set[str], aliases: dict[str, str]
) -> Callable[[str, str | None], str | None]:
    """The function giving the thread of an item's article and origin URL (None: no article)."""
    folded: dict[str, str | None] = {}
    for tid in known:
        folded[tid.casefold()] = None if tid.casefold() in folded else tid

    def thread_of_key(article: str, origin_url: str | None) -> str | None:
        key = resolve_alias(article, known, aliases)
        if key is None and origin_url:
            key = resolve_alias(origin_url, known, aliases)
        if key is None:
            key = folded.get(article.casefold())
        return key

    return thread_of_key


def resolve_alias(key: str, known: set[str], aliases: dict[str, str]) -> str | None:
    """Follow the alias map (old slug, URL or path -> id) to a known thread id."""
    for _ in range(10):  # a chain, not a cycle
        if key in known:
            return key
        if key not in aliases:
            return None
        key = aliases[key]
    return None
