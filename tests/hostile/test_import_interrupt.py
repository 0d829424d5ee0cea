"""A killed import leaves nothing behind: no process (it parses in-process: no helper to
orphan), and the next command that opens the store removes the files it had staged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import Site, pelican_env

COMMENT = """<wp:comment><wp:comment_id>{n}</wp:comment_id>
<wp:comment_author>Reader {n}</wp:comment_author>
<wp:comment_date_gmt>2015-03-0{d} 10:00:00</wp:comment_date_gmt>
<wp:comment_content>Comment number {n}: {words}</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved></wp:comment>
"""


def big_wxr(path: Path, posts: int = 60, per_post: int = 500) -> None:
    """A WXR file large enough that a kill lands while items are being staged."""
    words = "a reasonably long sentence about sharpening tools and their care " * 3
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<link>http://big.example.org</link>\n"
        )
        n = 0
        for post in range(posts):
            out.write(
                f"<item><title>Post {post}</title><link>http://big.example.org/p{post}/</link>"
                f"<wp:post_id>{post}</wp:post_id>\n"
            )
            for _ in range(per_post):
                n += 1
                out.write(COMMENT.format(n=n, d=1 + n % 9, words=words))
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def staged(site: Site) -> int:
    return sum(len(files) for _, _, files in os.walk(site.feedback / ".tmp"))


def test_sigkill_of_an_import_leaves_no_process_and_no_staged_files(site: Site, tmp_path: Path):
    source = tmp_path / "big.wxr"
    big_wxr(source)
    assert source.stat().st_size > 4 << 20
    command = [sys.executable, "-m", "backchannel.cli", "-s", str(site.conf)]
    proc = subprocess.Popen(
        [*command, "import", "wordpress", str(source)],
        cwd=site.root,
        env=pelican_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until(lambda: staged(site) > 200, 120)
        assert children(proc.pid) == []  # no parsing helper that could outlive the import
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:  # never leave a process of ours behind
            proc.kill()
            proc.wait(timeout=30)
    assert staged(site) > 200  # the killed run left its staging behind ...
    check = site.cli("check")
    assert check.returncode == 0, check.stdout + check.stderr  # ... which the next command removes
    assert "leftover temporary" in check.stderr and staged(site) == 0
