"""Rendered feedback partials and comment feeds kept in the one cache between builds.

An article page's feedback partials (`backchannel/thread.html`, `backchannel/linkbacks.html`)
and its comment feed are functions of its thread, the article's id, URL, title and date, the
page's SITEURL and file, the settings and the theme's templates: the contract the fast
republisher already relies on when it renders the partials outside a build. Each rendering
is stored under a hash of all of these, so a build in which none of them changed renders no
comment template and writes no feed entry, while any change (a comment edited, approved or
deleted, a template or a setting changed, another post answering a comment) makes a new key
and the fragment is made again. Deleting the cache changes no output.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from backchannel.build.render import renderer_version
from backchannel.store.cache import Cache

# Rows of the one cache (store/cache.py) holding whole partials and feeds.
KIND = "fragment"
# Raise it when what a key covers changes, or when feeds.py changes a feed's bytes
# (the templates and the renderer count on their own). "2": rows hold the text itself, not JSON.
VERSION = "2"
# Rows are written in batches of this many: a cold build keeps no more in memory.
_BATCH = 20


def thread_fingerprint(thread: Any, article: Any, items: str) -> str:
    """A hash of everything a thread and its article's part in it are made of.

    The thread is a function of its items (`items`, their hash: threads.py) and the settings
    (in the build digest), and of the posts that answer its comments; of the article, the
    partials and feed read what the republisher gives them: id, URL, title, date and `Answers:`.
    """
    answered = sorted(
        (cid, [(link.title, link.url) for link in links]) for cid, links in thread.answered.items()
    )
    answers = [(a.comment_id, a.author, a.article_title, a.url) for a in thread.answers]
    metadata = getattr(article, "metadata", {}) or {}
    ours = (thread.article_url, article.title, article.date, metadata.get("answers"))
    digest = hashlib.sha256(items.encode())
    digest.update(repr((answered, thread.prompted_by, answers, ours)).encode())
    return digest.hexdigest()


def _setting_value(value: Any) -> Any:
    """A JSON stand-in for a setting JSON cannot hold; stable from one build to the next."""
    code = getattr(value, "__code__", None)
    if code is not None:  # a filter or function: its code, not its address
        return f"{getattr(value, '__qualname__', '')}:{code.co_code.hex()}:{code.co_consts!r}"
    if isinstance(value, (set, frozenset)):
        return sorted(map(repr, value))
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


def build_digest(settings: dict[str, Any], env: Any) -> str | None:
    """A hash of what every fragment of this build shares: settings, templates, renderer.

    None when the theme's loader cannot list its templates: what a partial depends on is
    then unknown, and nothing is taken from the cache.
    """
    import jinja2

    digest = hashlib.sha256()
    public = {k: v for k, v in settings.items() if not k.startswith("_BACKCHANNEL")}
    digest.update(
        json.dumps(public, sort_keys=True, default=_setting_value, skipkeys=True).encode()
    )
    digest.update(f"{VERSION} {renderer_version()} jinja2={jinja2.__version__}".encode())
    # Every template the theme can load: a partial may include or import any of them.
    try:
        names = sorted(env.list_templates())
    except TypeError:  # Jinja's answer for a loader that cannot iterate its templates
        return None
    for name in names:
        source = env.loader.get_source(env, name)[0]
        digest.update(f"\0{name}\0{source}".encode())
    return digest.hexdigest()


def include(context: Any, name: str, **values: Any) -> str:
    """Template `name` as `{% include %}` renders it on this page, with `values` set."""
    # A copy: Jinja's get_all() may hand back the page's own variables.
    return str(context.environment.get_template(name).render({**context.get_all(), **values}))


class Fragments:
    """The fragments of one build: taken from the cache by key, or made and stored."""

    def __init__(self, cache: Cache, digest: str | None) -> None:
        # Without a digest nothing can be keyed: every fragment is made.
        self.cache: Cache | None = cache if digest is not None else None
        self.digest = digest
        self.used: set[str] = set()
        self.fresh: dict[str, str] = {}
        self.made = 0
        self.found = 0

    def get(self, parts: Iterable[Any], make: Callable[[], str]) -> str:
        """The fragment for `parts` (with the build digest), from the cache or `make()`."""
        if self.cache is None:
            return make()
        key = hashlib.sha256(repr((self.digest, *parts)).encode()).hexdigest()
        # Counted once: a feed made while its page was (bake.py) is looked up again later.
        first = key not in self.used
        self.used.add(key)
        text = self.fresh.get(key)
        if text is None:
            text = self.cache.get_text(KIND, VERSION, key)
        if text is not None:
            self.found += first
            return text
        text = make()
        self.made += 1
        self.fresh[key] = text
        if len(self.fresh) >= _BATCH:
            self.flush()
        return text

    def flush(self) -> None:
        """Store what was made since the last flush."""
        if self.cache is not None and self.fresh:
            self.cache.put_texts(KIND, VERSION, self.fresh)
        self.fresh = {}

    def close(self) -> None:
        """Store the rest, drop rows this build did not use, and stop using the cache."""
        if self.cache is None:
            return
        self.flush()
        self.cache.keep_only(KIND, self.used)
        self.cache.close()
        self.cache = None
