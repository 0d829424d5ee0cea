"""`backchannel serve` as a real subprocess: start, wait until it answers, SIGKILL, restart."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from conftest import pelican_env
from receiver_support import wait_for


def receiver_up(port: int, article: str = "first-post") -> bool:
    """True once the receiver on `port` answers a token request."""
    try:
        return (
            httpx.get(
                f"http://127.0.0.1:{port}/backchannel/token",
                params={"article": article},
                timeout=1,
            ).status_code
            == 200
        )
    except httpx.HTTPError:
        return False


class Served:
    """One site's `backchannel serve` on 127.0.0.1:port, killable and restartable."""

    def __init__(self, conf: Path, root: Path, port: int, log: Path | None = None) -> None:
        self.conf, self.root, self.port, self.log = conf, root, port, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    @property
    def base(self) -> str:
        """The site's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait (bounded) until it answers."""
        out: Any = subprocess.DEVNULL
        if self.log is not None:
            out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "backchannel.cli",
                "-s",
                str(self.conf),
                "serve",
                "--port",
                str(self.port),
            ],
            cwd=self.root,
            env=pelican_env(),
            stdout=out,
            stderr=out,
        )
        if out is not subprocess.DEVNULL:
            out.close()  # the child holds its own descriptor
        wait_for(lambda: receiver_up(self.port) or self._died(), timeout=timeout)
        if self.proc.poll() is not None:
            raise RuntimeError(f"backchannel serve exited with {self.proc.returncode}")

    def _died(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing, a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.kills += 1

    def stop(self) -> None:
        """Make sure the server is gone (used in finally blocks)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> Served:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
