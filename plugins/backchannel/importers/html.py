"""Archived HTML pages of an old blog: comments with authors, dates and nesting.

Readable fallback chain, first that finds something wins for comments:
1. WordPress markup: `li.comment` / `li.pingback` / `li.trackback` (ids
   `comment-N` / `li-comment-N`), nesting by enclosing comment, `.fn` author,
   `time[datetime]` date, `.comment-content` text;
2. Blogger markup: `dl#comments-block` with `dt.comment-author` /
   `dd.comment-body` / `dd.comment-footer`;
3. microformats2 (mf2py): an h-entry's `comment` h-cites; a page that is itself
   an h-entry replying to / liking another page is a webmention from it.
A "Trackbacks" / "Pingbacks" heading followed by a list adds linkbacks.
BeautifulSoup always gets an explicit parser (html.parser, in the stdlib).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import mf2py
from bs4 import BeautifulSoup, Tag

from backchannel.field_policy import http_url
from backchannel.importers.records import (
    ArticleRef,
    ImportSourceError,
    Record,
    clean_name,
    clean_text,
    iso_date,
)
from backchannel.model import Kind, MentionType, State

PARSER = "html.parser"
ITEM_CLASSES = ["comment", "pingback", "trackback"]
_LINKBACK_HEADING = re.compile(r"trackbacks?|pingbacks?", re.I)
_MENTION_PROPS = (
    ("in-reply-to", MentionType.REPLY),
    ("like-of", MentionType.LIKE),
    ("repost-of", MentionType.REPOST),
    ("bookmark-of", MentionType.BOOKMARK),
)


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    found = iso_date(text) or iso_date(re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text.strip()))
    if found:
        return found
    from dateutil import parser as dateparser

    try:
        parsed = dateparser.parse(text, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _inner(tag: Tag | None) -> str:
    return clean_text(tag.decode_contents()) if tag is not None else ""


def page_ref(soup: BeautifulSoup, name: str) -> ArticleRef:
    """What the page says about itself: canonical URL and title."""
    canonical = soup.find("link", rel="canonical")
    og = soup.find("meta", property="og:url")
    url = (canonical.get("href") if canonical else None) or (og.get("content") if og else None)
    heading = soup.select_one(".entry-title, .post-title, h1")
    title = (
        heading.get_text(" ", strip=True)
        if heading
        else (soup.title.get_text(strip=True) if soup.title else None)
    )
    return ArticleRef(url=http_url(url) or http_url(name), title=clean_name(title) or None)


def _wordpress(soup: BeautifulSoup, origin: str, ref: ArticleRef) -> list[Record]:
    records = []
    for li in soup.select("li.comment, li.pingback, li.trackback, article.comment"):
        classes = set(li.get("class", []))
        cid = re.sub(r"^(li-)?comment-", "", li.get("id", "")) or str(len(records))
        kind = (
            Kind.PINGBACK
            if "pingback" in classes
            else Kind.TRACKBACK
            if "trackback" in classes
            else Kind.COMMENT
        )
        parent_li = li.find_parent(["li", "article"], class_=ITEM_CLASSES)
        parent = (
            re.sub(r"^(li-)?comment-", "", parent_li.get("id", ""))
            if parent_li is not None
            else None
        )

        # Only this comment's own parts, not those of nested replies.
        def own(selector: str, li: Tag = li) -> Tag | None:
            for found in li.select(selector):
                if found.find_parent(["li", "article"], class_=ITEM_CLASSES) is li:
                    return found
            return None

        author_tag = own(".fn") or own(".comment-author")
        link = author_tag.find("a") if author_tag else None
        author_url = http_url(link.get("href")) if link else None
        time_tag = own("time")
        date = _date(time_tag.get("datetime") if time_tag else None) or _date(
            own(".comment-meta a").get_text(" ", strip=True) if own(".comment-meta a") else None
        )
        body_tag = own(".comment-content") or own(".comment-text")
        if kind == Kind.COMMENT:
            body = _inner(body_tag)
        else:
            body_tag = body_tag or own(".comment-body")
            anchor = body_tag.find("a") if body_tag else None
            author_url = http_url(anchor.get("href")) if anchor else author_url
            body = ""
        author = clean_name(author_tag.get_text(" ", strip=True)) if author_tag else ""
        if kind != Kind.COMMENT and body_tag is not None:
            anchor = body_tag.find("a")
            author = clean_name(anchor.get_text(" ", strip=True)) if anchor else author
        records.append(
            Record(
                origin=origin,
                origin_id=f"{ref.url or ''}#comment-{cid}",
                kind=kind,
                state=State.PUBLISHED,
                author=author,
                date=date,
                body=body,
                article=ref,
                author_url=author_url,
                parent_origin_id=f"{ref.url or ''}#comment-{parent}" if parent else None,
                source=author_url if kind != Kind.COMMENT else None,
                title=author if kind != Kind.COMMENT else None,
            )
        )
    return records


def _blogger(soup: BeautifulSoup, origin: str, ref: ArticleRef) -> list[Record]:
    block = soup.find("dl", id="comments-block")
    if block is None:
        return []
    records = []
    for dt in block.find_all("dt", class_="comment-author"):
        anchor = dt.find("a", attrs={"name": True}) or dt.find("a", id=True)
        cid = (anchor.get("name") or anchor.get("id")) if anchor else str(len(records))
        author_link = dt.find("a", href=True)
        body = dt.find_next_sibling("dd", class_="comment-body")
        footer = dt.find_next_sibling("dd", class_="comment-footer")
        stamp = footer.find(class_="comment-timestamp") if footer else None
        text = (
            stamp.get_text(" ", strip=True)
            if stamp
            else (footer.get_text(" ", strip=True) if footer else None)
        )
        records.append(
            Record(
                origin=origin,
                origin_id=f"{ref.url or ''}#{cid}",
                kind=Kind.COMMENT,
                state=State.PUBLISHED,
                author=clean_name(
                    dt.get_text(" ", strip=True).removesuffix(" said...").removesuffix("said...")
                ),
                date=_date(text),
                body=_inner(body),
                article=ref,
                author_url=http_url(author_link.get("href")) if author_link else None,
            )
        )
    return records


def _first(props: dict[str, Any], key: str) -> Any:
    values = props.get(key) or []
    return values[0] if values else None


def _mf2(html: str, name: str, origin: str, ref: ArticleRef) -> list[Record]:
    base = http_url(name)
    parsed = mf2py.parse(doc=html, url=base, html_parser=PARSER)
    records = []
    for entry in (i for i in parsed.get("items", []) if "h-entry" in i.get("type", [])):
        props = entry.get("properties", {})
        for n, cite in enumerate(props.get("comment", [])):
            if not isinstance(cite, dict):
                continue
            records.append(
                _mf2_record(
                    cite.get("properties", {}),
                    origin,
                    f"{ref.url or ''}#mf2-{n}",
                    Kind.COMMENT,
                    ref,
                    None,
                )
            )
        for prop, mention in _MENTION_PROPS:
            target = _first(props, prop)
            if target is None:
                continue
            target_url = (
                target.get("properties", {}).get("url", [None])[0]
                if isinstance(target, dict)
                else target
            )
            records.append(
                _mf2_record(
                    props,
                    origin,
                    f"{base or name}#{prop}",
                    Kind.WEBMENTION,
                    ArticleRef(url=http_url(target_url)),
                    mention,
                    source=base,
                )
            )
            break
    return records


def _mf2_record(
    props: dict[str, Any],
    origin: str,
    origin_id: str,
    kind: Kind,
    ref: ArticleRef,
    mention: MentionType | None,
    source: str | None = None,
) -> Record:
    author = _first(props, "author")
    author_props = author.get("properties", {}) if isinstance(author, dict) else {}
    author_name = _first(author_props, "name") if author_props else author
    content = _first(props, "content")
    body = content.get("value", "") if isinstance(content, dict) else (content or "")
    if not body and kind == Kind.COMMENT:
        body = _first(props, "name") or ""
    return Record(
        origin=origin,
        origin_id=origin_id,
        kind=kind,
        state=State.PUBLISHED if kind == Kind.COMMENT else State.INBOX,
        author=clean_name(str(author_name or "")),
        date=_date(_first(props, "published")),
        body=clean_text(body),
        article=ref,
        author_url=http_url(_first(author_props, "url")) if author_props else None,
        source=source,
        title=clean_name(_first(props, "name") or "") or None,
        mention_type=mention,
    )


def _absolute(base: str | None, href: str) -> str | None:
    """`href` resolved against the page's URL, if that makes an http(s) URL."""
    try:
        return http_url(urljoin(base or "", href))
    except ValueError:  # urllib cannot split it ("http://[oops", say)
        return None


def _linkback_lists(soup: BeautifulSoup, origin: str, ref: ArticleRef) -> list[Record]:
    records = []
    for heading in soup.find_all(["h2", "h3", "h4"], string=_LINKBACK_HEADING):
        kind = Kind.TRACKBACK if "track" in heading.get_text().lower() else Kind.PINGBACK
        listing = heading.find_next_sibling(["ol", "ul"])
        if listing is None:
            continue
        for li in listing.find_all("li", recursive=False):
            anchor = li.find("a", href=True)
            if anchor is None:
                continue
            source = _absolute(ref.url, anchor["href"])
            title = clean_name(anchor.get_text(" ", strip=True))
            records.append(
                Record(
                    origin=origin,
                    origin_id=f"{ref.url or ''}#{kind.value}:{source}",
                    kind=kind,
                    state=State.PUBLISHED,
                    author=title or urlsplit(source or "").hostname or "",
                    date=_date(li.find("time").get("datetime")) if li.find("time") else None,
                    body="",
                    article=ref,
                    source=source,
                    title=title or None,
                )
            )
    return records


def parse_html(html: str, name: str) -> list[Record]:
    """Every comment and linkback on one archived page."""
    soup = BeautifulSoup(html, PARSER)
    ref = page_ref(soup, name)
    origin = f"html:{urlsplit(ref.url or '').hostname or 'archive'}"
    records = _wordpress(soup, origin, ref) or _blogger(soup, origin, ref)
    if not records:
        records = _mf2(html, name, origin, ref)
    if not any(r.kind != Kind.COMMENT for r in records):
        records += _linkback_lists(soup, origin, ref)
    return records


def parse(data: bytes, name: str) -> Iterator[Record]:
    """Records of a fetched page."""
    return iter(parse_html(data.decode("utf-8", errors="replace"), name))


def read(source: str) -> Iterator[Record]:
    """Records of one HTML file, or of every .html file under a folder."""
    path = Path(source)
    files = sorted(path.rglob("*.htm*")) if path.is_dir() else [path]
    if not path.exists():
        raise ImportSourceError("no such file or folder", source)
    for file in files:
        try:
            text = file.read_text("utf-8", errors="replace")
        except OSError as exc:
            raise ImportSourceError(f"cannot read: {exc.strerror}", str(file)) from None
        yield from parse_html(text, str(file))
