"""XML bombs, external entities and oversize bodies at every XML endpoint and importer.

The Pingback endpoint (over real HTTP) and the WordPress, Disqus, Blogger and
feed importers (through `backchannel import`, in process) get each attack; each
must be refused with a clear reason, nothing may be written to feedback/, and
the local "attacker" server named in the external references must never be
asked for anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import receiver_support
from backchannel.cli import main
from backchannel.receiver.server import create_app
from conftest import Site
from receiver_support import Pages, free_port, running, settings_for

# The shared module-scoped site (receiver_support.built).
built = receiver_support.built

# Each importer's document shape, with {doctype} before the root and {payload} inside it.
DOCS = {
    "wordpress": (
        '<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<title>{payload}</title><wp:wxr_version>1.2</wp:wxr_version></channel></rss>\n"
    ),
    "disqus": (
        '<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n'
        '<disqus xmlns="http://disqus.com"><category dsq:id="1" '
        'xmlns:dsq="http://disqus.com/disqus-internals"><title>{payload}</title></category>'
        "</disqus>\n"
    ),
    "blogger": (
        "<?xml version='1.0' encoding='UTF-8'?>\n{doctype}\n"
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>{payload}</title></feed>\n"
    ),
    "feed": (
        '<?xml version="1.0"?>\n{doctype}\n'
        '<rss version="2.0"><channel><title>{payload}</title><item><title>x</title>'
        "<description>{payload}</description></item></channel></rss>\n"
    ),
}
PINGBACK = (
    '<?xml version="1.0"?>\n{doctype}\n<methodCall><methodName>pingback.ping</methodName>'
    "<params><param><value><string>{payload}</string></value></param>"
    "<param><value><string>http://x.example/</string></value></param></params></methodCall>\n"
)


def attacks(evil: str) -> dict[str, tuple[str, str]]:
    """name -> (doctype, payload); `evil` is the base URL of the local attacker server."""
    laughs = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return {
        "billion-laughs": ("<!DOCTYPE lolz [" + "".join(laughs) + "]>", "&lol9;"),
        "quadratic-blowup": (
            '<!DOCTYPE q [<!ENTITY a "' + "a" * 50000 + '">]>',
            "&a;" * 5000,
        ),
        "xxe-file": ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;"),
        "xxe-http": (f'<!DOCTYPE x [<!ENTITY e SYSTEM "{evil}/xxe">]>', "&e;"),
        "parameter-entity": (f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{evil}/param"> %p;]>', "x"),
        "external-dtd": (f'<!DOCTYPE x SYSTEM "{evil}/dtd">', "&undefined;"),
    }


@pytest.fixture
def evil() -> Iterator[Pages]:
    """A local server that would hand out /etc/passwd-like secrets if anyone asked."""
    with Pages() as pages:
        for path in ("/xxe", "/param", "/dtd"):
            pages.add(path, "root:x:0:0:SECRET-FROM-EVIL", content_type="text/plain")
        yield pages


def asked(pages: Pages) -> list[str]:
    """Paths the server answered (read from its access through a counter route)."""
    return pages.hits  # type: ignore[attr-defined]


def count_hits(pages: Pages) -> None:
    """Record every path the server is asked for in `pages.hits`."""
    pages.hits = []  # type: ignore[attr-defined]
    handler = pages.server.RequestHandlerClass
    original = handler.do_GET

    def do_get(self: object) -> None:
        pages.hits.append(self.path)  # type: ignore[attr-defined]
        original(self)

    handler.do_GET = do_get  # type: ignore[method-assign]


def files(feedback: Path) -> list[Path]:
    """Every file under feedback/ (items, private data, temps) but the site's signing key."""
    return sorted(p for p in feedback.rglob("*") if p.is_file() and p.name != "secret")


@pytest.mark.parametrize("fmt", sorted(DOCS))
def test_importers_refuse_every_xml_attack(
    built: Site, evil: Pages, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    count_hits(evil)
    before = files(built.feedback)
    for name, (doctype, payload) in attacks(evil.base).items():
        path = tmp_path / f"{fmt}-{name}.xml"
        path.write_text(DOCS[fmt].format(doctype=doctype, payload=payload), "utf-8")
        code = main(["-s", str(built.conf), "import", fmt, str(path)])
        err = capsys.readouterr().err
        assert code == 1, f"{fmt}/{name} was not refused"
        assert str(path) in err and ("refused unsafe XML" in err or "not well-formed" in err), err
        assert "SECRET-FROM-EVIL" not in err and "root:x:0:0" not in err
        assert err.count("\n") == 1, err  # one clear line, no traceback
    assert files(built.feedback) == before
    assert asked(evil) == []


@pytest.mark.parametrize("fmt", sorted(DOCS))
def test_importers_refuse_oversize_downloads(
    built: Site, evil: Pages, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    filler = "<!-- " + "x" * 300_000 + " -->"
    url = evil.add(f"/big-{fmt}.xml", DOCS[fmt].format(doctype=filler, payload="t"))
    built.write_conf(
        'BACKCHANNEL_ALIASES = {"old-first": "first-post"}\n'
        "BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True\nBACKCHANNEL_FETCH_MAX_BYTES = 100000\n"
    )
    before = files(built.feedback)
    try:
        code = main(["-s", str(built.conf), "import", fmt, url])
    finally:
        built.write_conf('BACKCHANNEL_ALIASES = {"old-first": "first-post"}\n')
    err = capsys.readouterr().err
    assert code == 1 and "larger than 100000 bytes" in err, err
    assert files(built.feedback) == before


def test_pingback_refuses_every_xml_attack_and_oversize(built: Site, evil: Pages) -> None:
    count_hits(evil)
    port = free_port()
    settings = settings_for(built.conf, port, RATE_LIMIT=None, ALLOW_PRIVATE_ADDRESSES=True)
    before = files(built.feedback)
    with running(create_app(settings, built.output), port) as base:
        url = f"{base}/backchannel/pingback"
        bodies = {
            name: PINGBACK.format(doctype=doctype, payload=payload).encode()
            for name, (doctype, payload) in attacks(evil.base).items()
        }
        bodies["oversize"] = PINGBACK.format(doctype="", payload="x" * 70000).encode()
        for name, body in bodies.items():
            r = httpx.post(url, content=body, headers={"Content-Type": "text/xml"}, timeout=10)
            assert r.status_code == 200 and "<fault>" in r.text, f"{name}: {r.text[:200]}"
            expected = ("larger than",) if name == "oversize" else ("refused", "not well-formed")
            assert any(e in r.text for e in expected), f"{name}: {r.text[:300]}"
            assert "SECRET-FROM-EVIL" not in r.text and "root:x:0:0" not in r.text

        # An oversize body sent without a length is cut off while streaming too.
        def chunks() -> Iterator[bytes]:
            yield PINGBACK.format(doctype="", payload="").encode()[:40]
            for _ in range(100):
                yield b" " * 1000

        r = httpx.post(url, content=chunks(), headers={"Content-Type": "text/xml"}, timeout=10)
        assert "larger than" in r.text
    assert files(built.feedback) == before
    assert asked(evil) == []


def test_sender_refuses_hostile_answers_from_remote_servers(evil: Pages) -> None:
    """What `backchannel send` reads back (XML-RPC and TrackBack answers) is attacked too."""
    from backchannel.sender.protocols import parse_pingback_response, parse_trackback_response

    count_hits(evil)
    shapes = {
        parse_pingback_response: (
            '<?xml version="1.0"?>{doctype}<methodResponse><params><param><value>'
            "<string>{payload}</string></value></param></params></methodResponse>"
        ),
        parse_trackback_response: (
            '<?xml version="1.0"?>{doctype}<response><error>0</error>'
            "<message>{payload}</message></response>"
        ),
    }
    for parse, shape in shapes.items():
        for name, (doctype, payload) in attacks(evil.base).items():
            body = shape.format(doctype=doctype, payload=payload).encode()
            with pytest.raises(ValueError, match="not") as info:
                parse(body)
            assert "SECRET-FROM-EVIL" not in str(info.value), name
    assert asked(evil) == []
