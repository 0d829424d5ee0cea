"""Large imports: the write batch, all or nothing at size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backchannel.errors import StoreError
from backchannel.importers import wordpress
from backchannel.importers.records import ImportSourceError
from backchannel.store import Batch, Store
from conftest import Site


def generated_wxr(path: Path, comments: int) -> Path:
    """A WXR with `comments` comments on 10 posts, every fifth a reply, with e-mails and IPs."""
    per_post = comments // 10
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><link>https://old.example</link>\n'
    ]
    cid = 0
    for post in range(1, 11):
        parts.append(
            f"<item><title>Post {post}</title><link>https://old.example/p{post}/</link>"
            f"<wp:post_id>{post}</wp:post_id><wp:post_name>p{post}</wp:post_name>\n"
        )
        for n in range(per_post):
            cid += 1
            parent = cid - 1 if n % 5 == 4 else 0
            parts.append(
                f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
                f"<wp:comment_author><![CDATA[Rëader {cid}]]></wp:comment_author>"
                f"<wp:comment_author_email>r{cid}@example.org</wp:comment_author_email>"
                f"<wp:comment_author_IP>192.0.2.{cid % 250}</wp:comment_author_IP>"
                "<wp:comment_date_gmt>2020-01-02 03:04:05</wp:comment_date_gmt>"
                f"<wp:comment_content><![CDATA[Comment {cid}, with <b>some</b> length "
                f"{'to it ' * 40}]]></wp:comment_content>"
                "<wp:comment_approved>1</wp:comment_approved>"
                f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
            )
        parts.append("</item>\n")
    parts.append("</channel></rss>\n")
    path.write_text("".join(parts), "utf-8")
    return path


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_large_export_imports_all_or_nothing_through_the_cli(site: Site, tmp_path: Path):
    big = generated_wxr(tmp_path / "big.xml", 2500)
    assert big.stat().st_size >= 1 << 20
    data = big.read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: len(data) * 9 // 10])  # fails after most items were staged
    proc = site.cli("import", "wordpress", str(cut))
    assert proc.returncode == 1 and "not well-formed XML" in proc.stderr
    assert f"{cut}:" in proc.stderr and proc.stderr.count("\n") == 1
    assert files_in(site.feedback) == []

    proc = site.cli("import", "wordpress", str(big), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert (summary["imported"], summary["duplicates"]) == (2500, 0)
    assert summary["by_state"] == {"unmatched": 2500} and summary["warnings"] == []
    items = [p for p in files_in(site.feedback) if p.suffix == ".md"]
    assert len(items) == 2500 and not (site.feedback / ".tmp").exists()
    text = items[0].read_text("utf-8")
    assert "Email-Hash: " in text and "@example.org" not in text and "192.0.2." not in text
    assert not list((site.feedback / "private").glob("*.json"))  # no e-mail, no IP kept
    replies = sum("Parent: " in p.read_text("utf-8") for p in items)
    assert replies == 500
    assert site.cli("check").returncode == 0
    again = json.loads(site.cli("import", "wordpress", str(big), "--json").stdout)
    assert (again["imported"], again["duplicates"]) == (0, 2500)


def test_a_batch_places_nothing_over_an_existing_item_and_undoes_itself(wptt: Path, tmp_path: Path):
    store = Store(tmp_path / "feedback", "secret")
    records = [r for r in wordpress.read(str(wptt)) if r.state is not None]
    from backchannel.importers.run import to_item
    from backchannel.store import derived_id

    items = [to_item(r, derived_id(r.origin, r.origin_id), "post", r.state, None) for r in records]
    batch = Batch(store)
    for item in items:
        batch.add(item)
    clash = store.path_of(items[-1])
    clash.parent.mkdir(parents=True, exist_ok=True)
    clash.write_text("someone else's")
    with pytest.raises(StoreError, match="already exists"):
        batch.commit()
    assert files_in(store.root) == [clash] and clash.read_text() == "someone else's"


ORPHAN = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<link>https://old.example</link>
<item><title>One</title><link>https://old.example/one/</link><wp:post_id>1</wp:post_id>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Ann</wp:comment_author>
<wp:comment_date_gmt>2020-01-02 03:04:05</wp:comment_date_gmt>
<wp:comment_content>Binned.</wp:comment_content><wp:comment_approved>trash</wp:comment_approved>
<wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>Bo</wp:comment_author>
<wp:comment_date_gmt>2020-01-03 03:04:05</wp:comment_date_gmt>
<wp:comment_content>Replying to a binned comment.</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>1</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>3</wp:comment_id><wp:comment_author>Cy</wp:comment_author>
<wp:comment_date_gmt>2020-01-04 03:04:05</wp:comment_date_gmt>
<wp:comment_content>Replying to Bo.</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>2</wp:comment_parent></wp:comment>
</item></channel></rss>
"""


def test_a_reply_to_a_missing_parent_is_restaged_at_the_top_level(tmp_path: Path):
    from backchannel.importers.matching import ArticleIndex
    from backchannel.importers.run import run_import

    store = Store(tmp_path / "feedback", "secret")
    summary = run_import(
        lambda: wordpress.parse(ORPHAN.encode(), "orphan.xml"), store, ArticleIndex([], {})
    )
    assert summary.imported == 2 and [s["reason"] for s in summary.skipped] == ["trash"]
    (warning,) = summary.warnings
    bo, cy = sorted(store.items(), key=lambda i: i.date)
    assert warning["id"] == bo.id and "not in the source" in warning["reason"]
    assert bo.parent is None and "Parent:" not in store.path_of(bo).read_text()
    assert cy.parent == bo.id  # the rest of the thread stays as it was


def test_an_unknown_encoding_is_refused_with_a_position(wptt: Path):
    data = wptt.read_bytes().replace(b'encoding="UTF-8"', b'encoding="TF-8"', 1)
    assert b'encoding="TF-8"' in data
    with pytest.raises(ImportSourceError, match=r"^bad\.xml:1:1: not well-formed XML: .*TF-8"):
        list(wordpress.parse(data, "bad.xml"))
