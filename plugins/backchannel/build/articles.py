"""The site's articles as the CLI tools see them, read with Pelican's own readers.

The build has the real article objects; the CLI (importers, digest, drafts,
sending) reads `content/` the same way Pelican does, so slugs, URLs and
metadata agree with the built site without needing a build first.
"""

from __future__ import annotations

import logging
import os
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from backchannel.build.render import plain_text
from backchannel.build.thread import answers_of, thread_id_of
from backchannel.errors import BackchannelError
from backchannel.settings import Resolved

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArticleInfo:
    """What the tools need to know about one article."""

    id: str
    slug: str
    title: str
    url: str
    date: datetime
    status: str
    source_path: str
    html: str
    summary: str
    category: str = ""
    tags: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)

    @cached_property
    def text(self) -> str:
        """The article's text without markup (computed once: it renders the HTML)."""
        return plain_text(self.html)

    def absolute_url(self, siteurl: str) -> str:
        """The article's URL with SITEURL in front (a path when SITEURL is empty)."""
        return f"{siteurl.rstrip('/')}/{self.url}" if siteurl else f"/{self.url}"


# Source path (relative to PATH) -> ((mtime_ns, size), what was read from it).
ArticleCache = MutableMapping[str, tuple[tuple[int, int], ArticleInfo]]


def load_articles(
    settings: Resolved,
    include_drafts: bool = False,
    cache: ArticleCache | None = None,
    guess_code_languages: bool = True,
) -> list[ArticleInfo]:
    """Every article under PATH (published, and drafts if asked), oldest first.

    With a `cache`, a file whose mtime and size match its entry is not read
    again; the cache is refreshed in place (new files added, gone ones dropped).
    `guess_code_languages=False` is for callers that read only the text: see
    `_without_language_guessing`.
    """
    from pelican.readers import Readers
    from pelican.settings import DEFAULT_CONFIG

    pelican_settings = dict(DEFAULT_CONFIG)
    pelican_settings.update(settings.pelican)
    content = settings.content_path
    if not content.is_dir():
        raise BackchannelError(f"backchannel: content folder {content} not found")
    if not guess_code_languages:
        pelican_settings["MARKDOWN"] = _without_language_guessing(pelican_settings["MARKDOWN"])
    readers = Readers(pelican_settings)
    _reuse_markdown(readers)
    excludes = set(pelican_settings.get("ARTICLE_EXCLUDES", [])) | set(
        pelican_settings.get("PAGE_PATHS", ["pages"])
    )
    found: list[ArticleInfo] = []
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(content):
        rel_dir = Path(dirpath).relative_to(content)
        dirnames[:] = sorted(d for d in dirnames if str(rel_dir / d) not in excludes)
        for name in sorted(filenames):
            ext = name.rpartition(".")[2]
            if ext not in readers.extensions:
                continue
            rel = str(rel_dir / name) if str(rel_dir) != "." else name
            if cache is not None:
                seen.add(rel)
            info = _read_cached(readers, content, rel, cache)
            if info is None:
                continue
            if info.status != "published" and not include_drafts:
                continue
            found.append(info)
    if cache is not None:
        for gone in cache.keys() - seen:
            del cache[gone]
    found.sort(key=lambda a: (a.date, a.id))
    return found


def _signature(path: Path) -> tuple[int, int] | None:
    """A source file's (mtime_ns, size): what the cache checks; None if it cannot be read."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _read_cached(
    readers: Any, content: Path, rel: str, cache: ArticleCache | None
) -> ArticleInfo | None:
    """One source file, from the cache when its signature matches, else read (and cached)."""
    if cache is None:
        return _read(readers, content, rel)
    signature = _signature(content / rel)
    entry = cache.get(rel)
    if entry is not None and signature is not None and entry[0] == signature:
        return entry[1]
    info = _read(readers, content, rel)
    if info is not None and signature is not None:
        cache[rel] = (signature, info)
    return info


def _without_language_guessing(markdown: dict[str, Any]) -> dict[str, Any]:
    """Pelican's MARKDOWN settings with codehilite told not to guess code languages.

    For a code block that names no language, codehilite asks every Pygments
    lexer to rate the code (importing every lexer the first time), the largest
    part of reading articles that hold such blocks. The guess only picks the
    highlighting spans; the text of the block, all the digest reads, is the same.
    """
    configs = dict(markdown.get("extension_configs") or {})
    for name in ("markdown.extensions.codehilite", "codehilite"):
        if name in configs:
            configs[name] = {**configs[name], "guess_lang": False}
    return {**markdown, "extension_configs": configs}


def _reuse_markdown(readers: Any) -> None:
    """Give Pelican's Markdown reader one Markdown instance for all files.

    Pelican builds a new Markdown instance (every extension and processor)
    for each file, much of the cost of reading. Python-Markdown's reset() is
    its way to reuse one; only the "meta" preprocessor, which Pelican removes
    to render formatted metadata, has to be put back (see MarkdownReader).
    """
    from markdown import Markdown
    from pelican import readers as pelican_readers

    # The same class name: Pelican records it as the article's "reader" metadata.
    class MarkdownReader(pelican_readers.MarkdownReader):  # type: ignore[misc]
        md: Any = None
        meta: tuple[Any, float] | None = None

        def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
            if self.md is None:
                self.md = Markdown(**self.settings["MARKDOWN"])
                registry = self.md.preprocessors
                # Registry keeps priorities private; re-registering needs the same one.
                priority = next(p for name, p in registry._priority if name == "meta")
                self.meta = (registry["meta"], priority)
            else:
                self.md.reset()
                if "meta" not in self.md.preprocessors and self.meta is not None:
                    self.md.preprocessors.register(self.meta[0], "meta", self.meta[1])
            self._source_path = source_path
            self._md = self.md
            with pelican_readers.pelican_open(source_path) as text:
                content = self.md.convert(text)
            return content, self._parse_metadata(self.md.Meta) if hasattr(self.md, "Meta") else {}

    for ext, reader in list(readers.readers.items()):
        if type(reader) is pelican_readers.MarkdownReader:
            readers.readers[ext] = MarkdownReader(readers.settings)


def _read(readers: Any, content: Path, rel: str) -> ArticleInfo | None:
    """One source file read with Pelican's readers (None, logged, if it cannot be)."""
    from pelican.contents import Article

    try:
        article = readers.read_file(
            base_path=str(content), path=rel, content_class=Article, context={}
        )
    except Exception as exc:  # noqa: BLE001  readers and their plugins raise anything on a broken file; one must not stop the rest
        logger.warning("backchannel: cannot read %s: %s", rel, exc)
        return None
    return ArticleInfo(
        id=thread_id_of(article),
        slug=article.slug,
        title=article.title,
        url=article.url,
        date=article.date,
        status=str(getattr(article, "status", "published")),
        source_path=rel,
        html=article._content or "",
        summary=plain_text(str(article.metadata.get("summary", "") or "")),
        category=str(getattr(article, "category", "") or ""),
        tags=tuple(str(t) for t in getattr(article, "tags", []) or []),
        answers=tuple(answers_of(article)),
        metadata=dict(article.metadata),
    )
