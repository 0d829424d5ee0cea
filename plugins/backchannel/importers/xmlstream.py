"""Safe, streaming XML for the importers: defusedxml's parser under iterparse.

No entity expansion, no external entities, no DTD tricks: a billion-laughs
bomb or an external entity stops the import with its line and column. Files
are read in chunks and elements cleared after use, so memory stays flat.

Tolerance: WordPress 2.x wrote `<excerpt:encoded>` without declaring the
`excerpt` prefix (see realdata google-blog-converters). A strict parser
refuses such a file ("unbound prefix"), so `declare_prefixes` adds the
declarations of known prefixes the root element forgot, inside the root
tag itself, so every reported line number stays true.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from pyexpat import ExpatError
from typing import Any, BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from backchannel.importers.records import ImportSourceError

HEAD_BYTES = 65536
CHUNK_BYTES = 1 << 20
Source = bytes | str | Path | BinaryIO


class _Prefixed(io.RawIOBase):
    """A stream whose head has extra namespace declarations in the root tag."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


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


def declare_prefixes(stream: BinaryIO, root: str, prefixes: dict[str, str]) -> BinaryIO:
    """Add `xmlns:p="uri"` to the root tag for every prefix it does not declare."""
    head = stream.read(HEAD_BYTES)
    match = re.search(rb"<" + root.encode() + rb"(\s[^>]*)?>", head)
    if match:
        tag = match.group(0)
        extra = b"".join(
            b' xmlns:%s="%s"' % (p.encode(), uri.encode())
            for p, uri in prefixes.items()
            if b"xmlns:" + p.encode() + b"=" not in tag
        )
        if extra:
            end = match.end() - (2 if tag.endswith(b"/>") else 1)
            head = head[:end] + extra + head[end:]
    return io.BufferedReader(_Prefixed(head, stream))  # type: ignore[arg-type]


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
    for event, elem in iterparse(open_source(source), name):
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


def position_of(name: str, what: str) -> ImportSourceError:
    """Error for a file that parsed but is not the expected format."""
    return ImportSourceError(f"not a {what} file", name, 1, 1)
