"""Safe, streaming XML for the importers: defusedxml's parser under iterparse.

No entity expansion, no external entities, no DTD tricks: a billion-laughs
bomb or an external entity stops the import with its line and column. Files
are read in chunks and elements cleared after use, so memory stays flat.

Tolerance: WordPress 2.x wrote `<excerpt:encoded>` without declaring the
`excerpt` prefix (see realdata google-blog-converters), WordPress.com writes
`<atom:link>` without `xmlns:atom`, and some Blogger exports use
`<app:control>` without `xmlns:app`. A strict parser refuses such a file
("unbound prefix"); lenient ones (Pelican's importer, browsers) read it. So
`declare_prefixes` adds the declarations of well-known prefixes the root
element forgot, inside the root tag itself, so every reported line number
stays true, and logs a warning naming each prefix the file then really uses
without having declared it anywhere.
"""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from pyexpat import ExpatError
from typing import Any, BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from backchannel.importers.records import ImportSourceError

logger = logging.getLogger(__name__)

HEAD_BYTES = 65536
CHUNK_BYTES = 1 << 20
Source = bytes | str | Path | BinaryIO


# Namespaces every importer may meet, by their usual prefix (Atom, RSS modules,
# the Atom Publishing Protocol, Google Data, threading, WordPress, Disqus).
WELL_KNOWN_PREFIXES = {
    "atom": "http://www.w3.org/2005/Atom",
    "app": "http://www.w3.org/2007/app",
    "thr": "http://purl.org/syndication/thread/1.0",
    "gd": "http://schemas.google.com/g/2005",
    "openSearch": "http://a9.com/-/spec/opensearchrss/1.0/",
    "georss": "http://www.georss.org/georss",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "media": "http://search.yahoo.com/mrss/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "wp": "http://wordpress.org/export/1.2/",
    "dsq": "http://disqus.com/disqus-internals",
}


class _Prefixed(io.RawIOBase):
    """A stream whose head has extra namespace declarations in the root tag.

    It watches the bytes going through for the first element using each prefix
    it declared (`<p:`), unless the file declares it itself first (on an inner
    element), and warns once per prefix really missing.
    """

    def __init__(
        self, head: bytes, rest: BinaryIO, added: list[str], name: str, skip: int = 0
    ) -> None:
        self._head = head
        self._rest = rest
        self._pending = set(added)
        self._name = name
        self._skip = skip  # bytes not watched: up to the end of the root tag we rewrote
        self._tail = b""
        self._compile()

    def readable(self) -> bool:
        return True

    def _compile(self) -> None:
        # One regex pass per read for all prefixes (a `find` per prefix cost 20x more).
        names = b"|".join(re.escape(p.encode()) for p in sorted(self._pending))
        self._use = re.compile(rb"<(" + names + rb"):")
        self._declared = re.compile(rb"xmlns:(" + names + rb")\s*=")

    def _watch(self, data: bytes) -> None:
        window = self._tail + data
        start = 0
        while self._pending and (use := self._use.search(window, start)):
            for declared in self._declared.finditer(window, 0, use.start()):
                self._pending.discard(declared.group(1).decode())
            prefix = use.group(1).decode()
            if prefix in self._pending:
                self._pending.discard(prefix)
                logger.warning(
                    "backchannel: %s: undeclared namespace prefix '%s' (read as %s, "
                    "as lenient parsers do)",
                    self._name,
                    prefix,
                    WELL_KNOWN_PREFIXES.get(prefix, "its usual namespace"),
                )
            if self._pending:
                self._compile()
            start = use.end()
        if self._pending:  # declared on an inner element, to be used later: not missing
            declared = {m.group(1).decode() for m in self._declared.finditer(window, start)}
            if declared & self._pending:
                self._pending -= declared
                if self._pending:
                    self._compile()
        self._tail = window[-64:]  # a use split across two reads is still seen

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            chunk = self._head[:n]
            self._head = self._head[n:]
        else:
            chunk = self._rest.read(len(buffer))
            n = len(chunk)
        buffer[:n] = chunk
        if self._skip:
            cut = min(self._skip, n)
            chunk, self._skip = chunk[cut:], self._skip - cut
        if self._pending and chunk:
            self._watch(chunk)
        return n

    def close(self) -> None:
        self._rest.close()
        super().close()


def open_source(source: Source) -> BinaryIO:
    """A binary stream over bytes, text, a path or an open file."""
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, str):
        return io.BytesIO(source.encode("utf-8"))
    if isinstance(source, Path):
        try:
            return source.open("rb")
        except OSError as exc:
            raise ImportSourceError(f"cannot read: {exc.strerror}", str(source)) from None
    return source


def declare_prefixes(stream: BinaryIO, root: str, name: str = "") -> BinaryIO:
    """Add `xmlns:p="uri"` to the root tag for every well-known prefix it does not declare.

    (WordPress 2.x exports forgot to declare `excerpt`, WordPress.com ones `atom`.)
    """
    head = stream.read(HEAD_BYTES)
    match = re.search(rb"<" + root.encode() + rb"(\s[^>]*)?>", head)
    added: list[str] = []
    if match:
        tag = match.group(0)
        added = [p for p in WELL_KNOWN_PREFIXES if b"xmlns:" + p.encode() + b"=" not in tag]
        extra = b"".join(
            b' xmlns:%s="%s"' % (p.encode(), WELL_KNOWN_PREFIXES[p].encode()) for p in added
        )
        if extra:
            end = match.end() - (2 if tag.endswith(b"/>") else 1)
            head = head[:end] + extra + head[end:]
            skip = match.end() + len(extra)
            return io.BufferedReader(_Prefixed(head, stream, added, name, skip))  # type: ignore[arg-type]
    return io.BufferedReader(_Prefixed(head, stream, [], name))  # type: ignore[arg-type]


def iterparse(
    stream: BinaryIO, name: str, events: tuple[str, ...] = ("start", "end")
) -> Iterator[tuple[str, ET.Element]]:
    """Stream (event, element) pairs; any refusal or syntax error names line and column."""
    parser = DefusedXMLParser(
        target=ET.TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    expat = parser.parser
    try:
        yield from ET.iterparse(stream, events=events, parser=parser)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]
        raise ImportSourceError(f"not well-formed XML: {reason}", name, line, column + 1) from None
    except (LookupError, DefusedXmlException) as exc:
        raise _refusal(exc, name, expat) from None
    finally:
        stream.close()


def _refusal(exc: Exception, name: str, expat: Any) -> ImportSourceError:
    """The error for an unknown encoding (expat asks Python for it) or unsafe XML."""
    if isinstance(exc, LookupError):
        return ImportSourceError(f"not well-formed XML: {exc}", name, 1, 1)
    return ImportSourceError(
        f"refused unsafe XML: {exc}", name, expat.CurrentLineNumber, expat.CurrentColumnNumber + 1
    )


def feed(
    stream: BinaryIO,
    name: str,
    start: Callable[[str, list[str]], None],
    end: Callable[[str], None],
    data: Callable[[str], None],
) -> Iterator[None]:
    """Parse with our own element handlers on defusedxml's expat parser; yield after each chunk.

    `iterparse` builds an Element per node through ElementTree's pure-Python
    parser (defusedxml needs it to reach expat); for the 200,000-comment
    exports the WordPress importer streams, that costs more than everything
    else together. Here expat calls `start(tag, attributes)`, `end(tag)` and
    `data(text)` directly (tags are `uri}local`, attributes a flat list), while
    defusedxml's entity, external-entity and DTD guards stay installed.
    """
    parser = DefusedXMLParser(
        target=ET.TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    expat = parser.parser
    expat.StartElementHandler = start
    expat.EndElementHandler = end
    expat.CharacterDataHandler = data
    try:
        while chunk := stream.read(CHUNK_BYTES):
            expat.Parse(chunk, False)
            yield
        expat.Parse(b"", True)
        yield
    except ExpatError as exc:
        reason = str(exc).split(":", 1)[0]
        raise ImportSourceError(
            f"not well-formed XML: {reason}", name, exc.lineno, exc.offset + 1
        ) from None
    except (LookupError, DefusedXmlException) as exc:
        raise _refusal(exc, name, expat) from None
    finally:
        stream.close()


def top_level(source: Source, name: str, root_tag: str, what: str) -> Iterator[ET.Element]:
    """Each complete child of the document's root, streamed; the root is checked first.

    Finished children are cleared from the root as the caller moves on, so
    memory stays flat however large the export.
    """
    depth = 0
    root = None
    stream = declare_prefixes(open_source(source), root_tag, name)
    for event, elem in iterparse(stream, name):
        if event == "start":
            if depth == 0:
                if local(elem.tag) != root_tag:
                    raise ImportSourceError(
                        f"not a {what} (root element is <{local(elem.tag)}>, "
                        f"expected <{root_tag}>)",
                        name,
                        1,
                        1,
                    )
                root = elem
            depth += 1
            continue
        depth -= 1
        if depth == 1:
            yield elem
            if root is not None:
                root.clear()  # finished top-level elements are not needed again


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rpartition("}")[2]


def child_text(elem: ET.Element, name: str) -> str | None:
    """Text of the first child with that local name (any namespace), or None."""
    for child in elem:
        if local(child.tag) == name:
            return child.text or ""
    return None
