"""`backchannel serve` killed mid-load: every acknowledged comment is on disk, none is partial."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import httpx
from backchannel.model import State
from backchannel.store import Store
from conftest import Site, pelican_env
from receiver_support import build_site, free_port, wait_for
from serve_support import receiver_up


def test_kill_during_load_loses_no_acknowledged_comment(site: Site) -> None:
    build_site(site)
    port = free_port()
    site.write_conf(
        f'BACKCHANNEL_RECEIVER_URL = "http://127.0.0.1:{port}/backchannel"\n'
        "BACKCHANNEL_RATE_LIMIT = None\nBACKCHANNEL_MIN_SECONDS_TO_POST = 0\n"
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backchannel.cli",
            "-s",
            str(site.conf),
            "serve",
            "--port",
            str(port),
        ],
        cwd=site.root,
        env=pelican_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/backchannel/comments"
    acknowledged: list[str] = []
    stop = threading.Event()

    def post(worker: int) -> None:
        with httpx.Client(timeout=5) as client:
            for n in range(1000):
                if stop.is_set():
                    return
                try:
                    r = client.post(
                        url,
                        json={
                            "article": "first-post",
                            "author": "Load",
                            "body": f"w{worker} n{n}",
                            "email": "l@x.org",
                        },
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 202:
                    acknowledged.append(r.json()["id"])

    try:
        wait_for(lambda: receiver_up(port), timeout=20)
        workers = [threading.Thread(target=post, args=(w,)) for w in range(8)]
        for w in workers:
            w.start()
        wait_for(lambda: len(acknowledged) >= 30, timeout=30)
        proc.send_signal(signal.SIGKILL)  # no shutdown: a crash
        proc.wait(timeout=10)
        time.sleep(0.2)
        stop.set()
        for w in workers:
            w.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    result = Store(site.feedback).load([State.INBOX])
    assert result.problems == []  # no half-written item anywhere in the inbox
    stored = {item.id for item in result.items}
    assert set(acknowledged) <= stored
    assert len(acknowledged) >= 30
