"""410 Gone for deleted articles: the manifest's tombstones, served by `backchannel serve`.

A deleted post's URL must answer 410, not 404: Webmention receivers (the spec,
webmention.rocks, ours) delete a mention only when its source answers 410. The
build records deleted articles in the manifest (see manifest.tombstones); this
ASGI wrapper around the static files answers 410 for their URLs, even while
the old page is still in the output folder (Pelican leaves stale pages there
unless DELETE_OUTPUT_DIRECTORY), since that page is what was deleted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from backchannel.build.manifest import MANIFEST, read_manifest

GONE_PAGE = (
    b'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Gone</title>'
    b"</head><body><h1>Gone</h1><p>This post was deleted.</p></body></html>\n"
)


def url_key(path: str) -> str:
    """A site path compared loosely: unquoted, no leading slash, `index.html` dropped."""
    path = unquote(path).lstrip("/")
    return path.removesuffix("index.html")


class Tombstones:
    """Wrap the static-file app: GET/HEAD of a deleted article's URL answers 410 Gone."""

    def __init__(self, app: Any, folder: Path) -> None:
        self.app = app
        self.folder = folder
        self._stamp: int | None = None
        self._gone: set[str] = set()

    def gone(self) -> set[str]:
        """URL keys of the deleted articles, re-read when the manifest changes."""
        try:
            stamp = os.stat(self.folder / MANIFEST).st_mtime_ns
        except OSError:
            return set()
        if stamp != self._stamp:
            data = read_manifest(self.folder)
            self._gone = {
                url_key(e["url"])
                for e in data.get("deleted", [])
                if isinstance(e, dict) and isinstance(e.get("url"), str)
            }
            self._stamp = stamp
        return self._gone

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Answer 410 for a tombstone's URL, else hand the request on."""
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
            key = url_key(scope["path"])  # the site is mounted at "/": the path is the site's
            if key in self.gone():
                head = scope["method"] == "HEAD"
                await send(
                    {
                        "type": "http.response.start",
                        "status": 410,
                        "headers": [
                            (b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(GONE_PAGE)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b"" if head else GONE_PAGE})
                return
        await self.app(scope, receive, send)
