"""Issue 19's importer cases: undeclared prefixes, WordPress.com's atom:link, date-less
comments, Disqus posts without ids, slugs differing in case, `--json` refusals, closed pipes.

The exports are small, hand-written files in tests/data/ in the shapes the real
systems produce (see tests/data/README.md).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from backchannel.build.thread import group_by_thread
from backchannel.importers import blogger, disqus, wordpress
from conftest import DATA, Site, pelican_env

BLOGGER_APP = DATA / "blogger-undeclared-app.xml"
WPCOM = DATA / "wpcom-atom-link.wxr"
DATELESS = DATA / "wxr-dateless-comment.wxr"


def run_json(site: Site, *args: str) -> dict:
    proc = site.cli(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_blogger_export_with_undeclared_app_prefix_is_read_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        records = list(blogger.read(str(BLOGGER_APP)))
    assert [r.origin_id for r in records] == ["post-201", "post-202"]
    assert records[1].parent_origin_id == "post-201"
    assert records[0].article.title == "Compost in winter"
    warned = [r.getMessage() for r in caplog.records if "undeclared" in r.getMessage()]
    assert len(warned) == 1 and "'app'" in warned[0] and str(BLOGGER_APP) in warned[0]


def test_wordpress_com_atom_link_neither_refused_nor_taken_for_the_site(caplog):
    with caplog.at_level(logging.WARNING):
        records = list(wordpress.read(str(WPCOM)))
    assert [r.origin_id for r in records] == ["7/1", "7/2"]
    assert {r.origin for r in records} == {"wordpress:https://smallkitchen.example.wordpress.com"}
    assert records[1].parent_origin_id == "7/1"
    warned = [r.getMessage() for r in caplog.records if "undeclared" in r.getMessage()]
    assert len(warned) == 1 and "'atom'" in warned[0]


def test_declared_prefixes_give_no_warning(caplog):
    with caplog.at_level(logging.WARNING):
        list(wordpress.read(str(DATELESS)))
    assert not [r for r in caplog.records if "undeclared" in r.getMessage()]


def test_a_comment_without_a_date_gets_its_posts_date_and_a_note():
    records = {r.origin_id: r for r in wordpress.read(str(DATELESS))}
    lee = records["12/31"]
    assert lee.date == datetime(2010, 4, 5, 11, 30, tzinfo=UTC)
    assert lee.note and "post's date" in lee.note
    assert records["12/32"].note is None
    assert records["13/40"].date is None  # nothing to date it with: reported, not guessed


def test_disqus_posts_without_an_id_are_each_named(tmp_path: Path):
    path = tmp_path / "disqus.xml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<thread dsq:id="1"><link>http://example.org/a/</link><forum>f</forum></thread>\n'
        '<post dsq:id="10"><message>one</message><createdAt>2012-01-01T00:00:00Z</createdAt>'
        '<thread dsq:id="1"/></post>\n'
        '<post><message>two</message><thread dsq:id="1"/></post>\n'
        '<post><message>three</message><thread dsq:id="1"/></post>\n'
        "</disqus>\n"
    )
    records = list(disqus.read(str(path)))
    assert [r.origin_id for r in records] == ["10", "#2", "#3"]
    assert records[0].state is not None
    assert [r.skip_reason for r in records[1:]] == [
        "post #2 of the export has no dsq:id",
        "post #3 of the export has no dsq:id",
    ]


def test_disqus_with_undeclared_dsq_prefix_is_read(tmp_path: Path):
    path = tmp_path / "disqus.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<disqus xmlns="http://disqus.com">\n'
        '<thread dsq:id="1"><link>http://example.org/a/</link></thread>\n'
        '<post dsq:id="10"><message>one</message><createdAt>2012-01-01T00:00:00Z</createdAt>'
        '<thread dsq:id="1"/></post>\n</disqus>\n'
    )
    assert [r.origin_id for r in disqus.read(str(path))] == ["10"]


class _Item:
    def __init__(self, article: str) -> None:
        self.article = article
        self.origin_url = None


def test_an_article_id_differing_in_case_still_finds_its_thread():
    items = [_Item("learn-about-kubernetes"), _Item("other")]
    groups, orphans = group_by_thread(items, {"Learn-about-kubernetes"}, {})
    assert list(groups) == ["Learn-about-kubernetes"] and [i.article for i in orphans] == ["other"]
    # two articles one case apart: a guess cannot choose, so it stays an orphan
    groups, orphans = group_by_thread(
        items[:1], {"Learn-X", "learn-x", "LEARN-about-kubernetes", "learn-about-Kubernetes"}, {}
    )
    assert not groups and len(orphans) == 1


def test_two_wordpress_com_blogs_never_share_ids(site: Site, tmp_path: Path):
    other = tmp_path / "other.wxr"
    other.write_text(
        WPCOM.read_text("utf-8").replace("smallkitchen.example", "bigkitchen.example"), "utf-8"
    )
    first = run_json(site, "import", "wordpress", str(WPCOM))
    second = run_json(site, "import", "wordpress", str(other))
    assert (first["imported"], second["imported"], second["duplicates"]) == (2, 2, 0)
    again = run_json(site, "import", "wordpress", str(other))
    assert (again["imported"], again["duplicates"]) == (0, 2)
    assert site.cli("check").returncode == 0


def test_imports_of_held_out_shapes_are_exact_and_idempotent(site: Site):
    blog = run_json(site, "import", "blogger", str(BLOGGER_APP))
    assert (blog["imported"], blog["skipped"]) == (2, [])
    dated = run_json(site, "import", "wordpress", str(DATELESS))
    assert dated["imported"] == 2
    notes = [w["reason"] for w in dated["warnings"]]
    assert notes == ["no date in the export; dated with its post's date"]
    assert [s["origin_id"] for s in dated["skipped"]] == ["13/40"]
    for source, fmt in ((BLOGGER_APP, "blogger"), (DATELESS, "wordpress")):
        again = run_json(site, "import", fmt, str(source))
        assert again["imported"] == 0 and again["duplicates"] == 2


def test_comments_imported_before_a_mixed_case_slug_appear_on_its_page(site: Site):
    summary = run_json(site, "import", "wordpress", str(DATELESS))
    assert {u["article"] for u in summary["unmatched"]} == {"sharpening-chisels"}
    site.article("Sharpening-Chisels", title="Sharpening chisels")
    site.build()
    page = site.page("Sharpening-Chisels")
    assert "I use a diamond plate." in page and "Water stones or oil stones?" in page


def test_json_refusal_is_a_json_error_object(site: Site, tmp_path: Path):
    path = tmp_path / "cut.xml"
    path.write_text('<?xml version="1.0"?>\n<rss><channel><item>\n')
    proc = site.cli("import", "wordpress", str(path), "--json")
    assert proc.returncode == 1
    error = json.loads(proc.stdout)
    assert error["error"].startswith("backchannel: ") and "not well-formed" in error["error"]
    assert (error["source"], error["line"]) == (str(path), 3)


def test_list_json_into_a_closed_pipe_ends_without_a_traceback(site: Site):
    site.article("listening")
    run_json(site, "import", "wordpress", str(WPCOM))
    command = [sys.executable, "-m", "backchannel.cli", "-s", str(site.conf), "list", "--json"]
    # Several pipe buffers' worth of output, so the writer meets the closed end.
    for n in range(3):
        site.item(
            "inbox",
            "listening",
            f"abcdef00000{n}",
            f"Id: abcdef00000{n}\nKind: comment\nArticle: listening\nAuthor: A\n"
            f"Date: 2026-09-01T10:00:00+00:00\nOrigin: receiver\n\n{'x' * 40000}\n",
        )
    proc = subprocess.Popen(
        command, cwd=site.root, env=pelican_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert len(site.cli("list", "--json").stdout) > 120000  # more than a pipe holds
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert proc.returncode == 141, err


def test_a_prefix_declared_on_an_inner_element_is_not_reported(caplog, tmp_path: Path):
    text = DATELESS.read_text("utf-8").replace(
        "<item>",
        '<item xmlns:atom="http://www.w3.org/2005/Atom">'
        '<atom:link rel="self" href="http://workshop.example.org/x"/>',
        1,
    )
    # Far from the root, past several reads of the parser's buffer.
    text = text.replace("<channel>", "<channel>\n" + "<!-- padding -->\n" * 200_000, 1)
    path = tmp_path / "inner.wxr"
    path.write_text(text, "utf-8")
    with caplog.at_level(logging.WARNING):
        records = list(wordpress.read(str(path)))
    assert len(records) == 3
    assert not [r for r in caplog.records if "undeclared" in r.getMessage()]
    undeclared = tmp_path / "late.wxr"
    undeclared.write_text(text.replace(' xmlns:atom="http://www.w3.org/2005/Atom"', ""), "utf-8")
    with caplog.at_level(logging.WARNING):
        assert len(list(wordpress.read(str(undeclared)))) == 3
    assert [
        r.getMessage().count("'atom'") for r in caplog.records if "undeclared" in r.getMessage()
    ] == [1]
