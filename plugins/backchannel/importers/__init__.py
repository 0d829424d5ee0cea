"""Importers: bring comments and linkbacks from other systems into the store.

One module per format; each has `read(source) -> Iterator[Record]` (source is
a file path, or a URL already fetched to bytes) built on a `parse_*` function
that takes bytes/str plus the source's name, so fetching stays apart from
parsing. `run.run_import` maps records to articles and writes them.
"""

from __future__ import annotations

FORMATS: dict[str, str] = {
    "wordpress": "backchannel.importers.wordpress",
    "disqus": "backchannel.importers.disqus",
    "blogger": "backchannel.importers.blogger",
    "isso": "backchannel.importers.isso",
    "pelican-comment-system": "backchannel.importers.pcs",
    "feed": "backchannel.importers.feed",
    "html": "backchannel.importers.html",
}
