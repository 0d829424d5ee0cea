"""`backchannel send` end to end: a real site's posts, real targets and endpoints on loopback."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, Site, pelican_env
from sender_helpers import Reply, Server, Web, slow

TB_RDF = """<!--
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dc="http://purl.org/dc/elements/1.1/"
         xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">
<rdf:Description rdf:about="{url}" dc:identifier="{url}" dc:title="TB" trackback:ping="/tb" />
</rdf:RDF>
-->"""


@pytest.fixture
def far() -> Iterator[Web]:
    """Other people's sites: targets advertising each protocol, and their endpoints."""
    server = Server()
    web = server.web
    web.html("/wm-target", "<p>webmention</p>", [("Link", '</wm?k=1>; rel="webmention"')])
    web.routes["/wm"] = (202, [("Location", "/status/1")], b"")
    web.routes["/old"] = (301, [("Location", "/moved/post")], b"")
    web.html("/moved/post", '<link rel="webmention" href="wm2">')
    web.routes["/moved/wm2"] = (201, [("Location", web.url("/status/2"))], b"")
    web.html("/pb-target", "<p>pingback only</p>", [("X-Pingback", web.url("/xmlrpc"))])
    web.routes["/xmlrpc"] = (
        200,
        [("Content-Type", "text/xml")],
        xmlrpc.client.dumps(("ok",), methodresponse=True).encode(),
    )
    web.html("/tb-target", TB_RDF.format(url=web.url("/tb-target")))
    web.routes["/tb"] = (
        200,
        [("Content-Type", "text/xml")],
        b"<?xml version='1.0'?><response><error>0</error></response>",
    )
    web.html("/plain", "<p>no endpoints here</p>")
    yield web
    server.close()


@pytest.fixture
def home() -> Iterator[Web]:
    """Where the site itself is 'deployed': answers for the post's URL."""
    server = Server()
    server.web.html("/first.html", "<p>the post</p>")
    yield server.web
    server.close()


def configure(site: Site, home: Web, extra: str = "") -> None:
    """A site whose SITEURL is the home server, allowed to reach loopback."""
    site.write_conf(
        f"""
SITEURL = {home.base!r}
SITENAME = "Site A"
BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True
BACKCHANNEL_FETCH_TIMEOUT = 1.0
BACKCHANNEL_FETCH_MAX_BYTES = 100000
BACKCHANNEL_SEND_RETRY_BASE = 0
"""
        + extra
    )


def send(site: Site, *args: str) -> dict:
    """Run `backchannel send --json` and return its output."""
    proc = site.cli("send", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def by_target(result: dict, far: Web) -> dict[str, dict]:
    """Results keyed by target path."""
    return {r["target"].removeprefix(far.base): r for r in result["results"]}


def body_linking(far: Web, *paths: str) -> str:
    """Markdown linking to targets, to the site itself and to a relative page."""
    links = " ".join(f"[link {i}]({far.url(p)})" for i, p in enumerate(paths))
    return (
        f"Reading around: {links}. See also [my other post](/other.html) and [mail](mailto:a@b.c)."
    )


def posts(far: Web) -> dict[str, int]:
    """How many POSTs each endpoint got."""
    counts: dict[str, int] = {}
    for request in far.requests:
        if request.method == "POST":
            path = request.path.split("?")[0]
            counts[path] = counts.get(path, 0) + 1
    return counts


TARGETS = ("/wm-target", "/old", "/pb-target", "/tb-target", "/plain")


def test_send_dry_run_send_repeat_update_delete(site: Site, far: Web, home: Web) -> None:
    """The whole life of a post's linkbacks, through the CLI."""
    configure(site, home)
    site.article("first", body=body_linking(far, *TARGETS))
    source = home.url("/first.html")

    dry = send(site, "--dry-run")
    assert dry["dry_run"] is True
    assert [(r["action"], r["status"]) for r in dry["results"]] == [("new", "planned")] * 5
    assert {r["source"] for r in dry["results"]} == {source}
    assert far.requests == [] and not (site.feedback / "sent.json").exists()

    first = by_target(send(site), far)
    assert first["/wm-target"]["status"] == "sent"
    assert first["/wm-target"]["endpoint"] == far.url("/wm?k=1")
    assert first["/wm-target"]["location"] == far.url("/status/1")
    assert first["/old"]["endpoint"] == far.url("/moved/wm2")  # relative to the final URL
    assert first["/pb-target"]["protocol"] == "pingback"
    assert first["/tb-target"]["protocol"] == "trackback"
    assert first["/tb-target"]["status"] == "sent"
    assert first["/plain"]["status"] == "no-endpoint"
    assert posts(far) == {"/wm": 1, "/moved/wm2": 1, "/xmlrpc": 1, "/tb": 1}
    tb = far.posts("/tb")[0].form
    assert tb["url"] == source and tb["blog_name"] == "Site A" and tb["title"] == "First"
    record = json.loads((site.feedback / "sent.json").read_text("utf-8"))
    assert len(record["sent"]) == 5

    again = send(site)
    assert again["results"] == [] and again["summary"]["unchanged"] == 5
    assert posts(far) == {"/wm": 1, "/moved/wm2": 1, "/xmlrpc": 1, "/tb": 1}

    site.article("first", body=body_linking(far, *TARGETS) + "\n\nAn added paragraph.")
    update = by_target(send(site), far)
    assert {p: r["action"] for p, r in update.items()} == {
        "/wm-target": "update",
        "/old": "update",
        "/plain": "new",
    }
    assert posts(far) == {"/wm": 2, "/moved/wm2": 2, "/xmlrpc": 1, "/tb": 1}

    site.article("first", body=body_linking(far, "/old", "/pb-target", "/tb-target", "/plain"))
    removed = by_target(send(site), far)
    assert removed["/wm-target"]["action"] == "removed"
    assert removed["/wm-target"]["status"] == "deleted"
    assert removed["/old"]["action"] == "update"  # the post changed: the others are updated
    assert posts(far)["/wm"] == 3 and posts(far)["/moved/wm2"] == 3

    (site.content / "first.md").unlink()
    early = by_target(send(site), far)
    assert early["/old"]["action"] == "delete" and early["/old"]["status"] == "failed"
    assert "still answers HTTP 200" in early["/old"]["reason"]
    assert posts(far)["/moved/wm2"] == 3  # nothing sent while the post is online
    home.routes["/first.html"] = (404, [], b"not found")
    missing = by_target(send(site), far)
    assert missing["/old"]["status"] == "failed" and "only on 410" in missing["/old"]["reason"]
    assert posts(far)["/moved/wm2"] == 3  # a 404 is not a deletion: receivers need 410
    home.routes["/first.html"] = (410, [], b"gone")
    gone = by_target(send(site), far)
    assert gone == {"/old": gone["/old"]} and gone["/old"]["status"] == "deleted"
    assert far.posts("/moved/wm2")[-1].form == {"source": source, "target": far.url("/old")}
    assert send(site)["results"] == []
    entries = json.loads((site.feedback / "sent.json").read_text("utf-8"))["sent"]
    assert {e["target"].removeprefix(far.base): e["status"] for e in entries} == {
        "/wm-target": "deleted",
        "/old": "deleted",
        "/pb-target": "deleted",
        "/tb-target": "deleted",
        "/plain": "deleted",
    }


def test_bad_targets_are_recorded_and_the_run_goes_on(site: Site, far: Web, home: Web) -> None:
    """Timeouts, 5xx, redirect loops and huge bodies: failures with reasons, retried later."""
    configure(site, home, "BACKCHANNEL_SEND_RETRY_BASE = 3600\n")
    far.routes["/slow"] = slow(1.5, (200, [("Content-Type", "text/html")], b"late"))
    far.routes["/huge"] = (200, [("Content-Type", "text/html")], b"<p>" + b"x" * 300_000)
    far.routes["/loop"] = (302, [("Location", "/loop")], b"")
    far.html("/err-target", "<p>x</p>", [("Link", "</wm500>; rel=webmention")])
    far.routes["/wm500"] = (500, [], b"boom")
    far.routes["/missing"] = (404, [], b"")
    site.article(
        "first",
        body=body_linking(far, "/slow", "/huge", "/loop", "/err-target", "/missing", "/wm-target"),
    )
    result = by_target(send(site), far)
    reasons = {p: r["reason"] for p, r in result.items()}
    assert "timed out" in reasons["/slow"]
    assert "larger than 100000 bytes" in reasons["/huge"]
    assert "redirects" in reasons["/loop"]
    assert "HTTP 500" in reasons["/err-target"] and result["/err-target"]["http_status"] == 500
    assert result["/missing"]["status"] == "rejected"
    assert result["/wm-target"]["status"] == "sent"  # the run went on
    for path in ("/slow", "/huge", "/loop", "/err-target"):
        assert result[path]["status"] == "failed" and result[path]["attempts"] == 1
        assert result[path]["next_retry"]
    later = send(site)
    assert later["results"] == [] and later["summary"]["waiting"] == 4
    assert len(later["waiting"]) == 4


def test_sites_are_told_at_once_each_one_request_at_a_time(site: Site, home: Web) -> None:
    """A slow site does not hold up the others, and no site gets two requests from us at once."""
    # Each site's first page waits (up to 4 s, under the 6 s fetch timeout) until
    # the other site has been asked too: one site after the other, both would fail.
    meet = threading.Barrier(2, timeout=4)
    servers = [Server(), Server()]
    peaks = []
    for server in servers:
        busy = {"now": 0, "peak": 0, "asked": 0}
        lock = threading.Lock()

        def counted(reply: Reply, busy: dict = busy, lock: threading.Lock = lock):
            def route(_: object) -> Reply:
                with lock:
                    busy["now"] += 1
                    busy["peak"] = max(busy["peak"], busy["now"])
                    busy["asked"] += 1
                    first = busy["asked"] == 1
                try:
                    if first:
                        meet.wait()
                    time.sleep(0.05)  # room for a second request to overlap, were one sent
                except threading.BrokenBarrierError:
                    return (500, [], b"the other site was not asked meanwhile")
                else:
                    return reply
                finally:
                    with lock:
                        busy["now"] -= 1

            return route

        page = (200, [("Content-Type", "text/html"), ("Link", '</wm>; rel="webmention"')], b"x")
        for path in ("/t1", "/t2", "/t3"):
            server.web.routes[path] = counted(page)
        server.web.routes["/wm"] = counted((202, [], b""))
        peaks.append(busy)
    try:
        configure(site, home, "BACKCHANNEL_FETCH_TIMEOUT = 6.0\n")
        site.article(
            "first",
            body=" ".join(body_linking(s.web, "/t1", "/t2", "/t3") for s in servers),
        )
        result = send(site)
    finally:
        for server in servers:
            server.close()
    assert [r["status"] for r in result["results"]] == ["sent"] * 6
    # In the plan's order (the order of the links), whichever site answered first.
    assert [r["target"] for r in result["results"]] == [
        s.web.url(p) for s in servers for p in ("/t1", "/t2", "/t3")
    ]
    assert [(b["asked"], b["peak"]) for b in peaks] == [(6, 1), (6, 1)]


def test_an_interrupted_send_records_the_sends_under_way(site: Site, home: Web) -> None:
    """Ctrl-C: no new send starts, those under way finish and are recorded, none goes twice."""
    servers = [Server(), Server()]
    try:
        for server in servers:
            for path in ("/t", "/u"):
                server.web.html(path, "<p>x</p>", [("Link", '</wm>; rel="webmention"')])
            server.web.routes["/wm"] = slow(1.0, (202, [], b""))
        configure(site, home, "BACKCHANNEL_FETCH_TIMEOUT = 10.0\n")
        site.article("first", body=" ".join(body_linking(s.web, "/t", "/u") for s in servers))
        command = [sys.executable, "-m", "backchannel.cli", "-s", str(site.conf), "send"]
        proc = subprocess.Popen(command, cwd=site.root, env=pelican_env(), text=True)
        try:
            # Interrupted while both sites' first webmentions are being answered.
            deadline = time.monotonic() + 20
            while not all(s.web.posts("/wm") for s in servers) and time.monotonic() < deadline:
                time.sleep(0.02)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 130
        finally:
            proc.kill()
        first = {s.web.base: [r.form["target"] for r in s.web.posts("/wm")] for s in servers}
        assert first == {s.web.base: [s.web.url("/t")] for s in servers}  # /u never started
        again = send(site)
        assert sorted(r["target"] for r in again["results"]) == sorted(
            s.web.url("/u") for s in servers
        )
        for server in servers:
            sent = sorted(r.form["target"] for r in server.web.posts("/wm"))
            assert sent == [server.web.url("/t"), server.web.url("/u")]  # each exactly once
    finally:
        for server in servers:
            server.close()


def test_text_output_and_errors(site: Site, far: Web, home: Web) -> None:
    """Lines for people; one clear line and exit 1 for an unknown article or no SITEURL."""
    configure(site, home)
    site.article("first", body=body_linking(far, "/wm-target"))
    proc = site.cli("send", "--dry-run")
    assert proc.returncode == 0
    assert (
        f"planned     new     {home.url('/first.html')} -> {far.url('/wm-target')}" in proc.stdout
    )
    assert "dry run, nothing sent" in proc.stdout
    proc = site.cli("send", "--article", "nope")
    assert proc.returncode == 1 and "no article 'nope'" in proc.stderr
    site.write_conf("BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True\n")  # SITEURL = ""
    proc = site.cli("send")
    assert proc.returncode == 1 and "SITEURL is empty" in proc.stderr
    proc = site.cli("send", "--site-url", home.base, "--json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["results"][0]["status"] == "sent"


def test_if_enabled(site: Site, far: Web, home: Web) -> None:
    """--if-enabled sends nothing unless BACKCHANNEL_SEND_ON_PUBLISH is on."""
    configure(site, home)
    site.article("first", body=body_linking(far, "/wm-target"))
    proc = site.cli("send", "--if-enabled")
    assert proc.returncode == 0 and "BACKCHANNEL_SEND_ON_PUBLISH is off" in proc.stdout
    assert far.requests == []
    configure(site, home, "BACKCHANNEL_SEND_ON_PUBLISH = True\n")
    proc = site.cli("send", "--if-enabled")
    assert proc.returncode == 0, proc.stderr
    assert far.posts("/wm")


def test_broken_record_stops_the_run(site: Site, far: Web, home: Web) -> None:
    """A hand-broken sent.json is named and kept; nothing is sent."""
    configure(site, home)
    site.article("first", body=body_linking(far, "/wm-target"))
    (site.feedback / "sent.json").write_text("[oops", "utf-8")
    proc = site.cli("send")
    assert proc.returncode == 1 and "sent.json: not valid JSON" in proc.stderr
    assert far.requests == [] and (site.feedback / "sent.json").read_text("utf-8") == "[oops"


def test_make_publish_runs_send_if_enabled(tmp_path: Path) -> None:
    """`make publish` builds, then runs `backchannel -s publishconf.py send --if-enabled`."""
    (tmp_path / "stamp").touch()  # an up-to-date install stamp: -n then prints only publish
    proc = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "publish", f"STAMP={tmp_path}/stamp"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = proc.stdout.splitlines()
    build = next(i for i, line in enumerate(lines) if "pelican" in line and "publishconf" in line)
    send_line = next(i for i, line in enumerate(lines) if "send --if-enabled" in line)
    assert build < send_line and "publishconf.py" in lines[send_line]


def test_the_user_agent_says_webmention(site: Site, far: Web, home: Web) -> None:
    """Webmention §3.1.2: the sender's User-Agent should say it sends webmentions."""
    configure(site, home)
    far.html("/ua-target", "<p>x</p>", [("Link", '</wm>; rel="webmention"')])
    far.routes["/wm"] = (202, [], b"")
    site.article("first", body=body_linking(far, "/ua-target"))
    send(site)
    (request,) = far.posts("/wm")
    agent = {k.lower(): v for k, v in request.headers.items()}["user-agent"]
    assert "Webmention" in agent and agent.startswith("Backchannel/")
