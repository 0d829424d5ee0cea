"""The ASGI app that serves the built site and mounts the receiver beside it.

Deleted articles answer 410 Gone (see tombstones.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from backchannel.build.tombstones import Tombstones
from backchannel.settings import Resolved


def receiver_prefix(settings: Resolved) -> str:
    """The path the receiver answers under, from BACKCHANNEL_RECEIVER_URL."""
    return urlsplit(settings.receiver_url).path.rstrip("/") or "/backchannel"


def create_app(settings: Resolved, output: str | Path | None = None) -> Starlette:
    """Site + receiver: the receiver under its URL's path, output/ at the root."""
    from backchannel import receiver  # this module's own package: loaded already

    receiver_app = receiver.create_app(settings)
    folder = Path(output or settings.output_path)
    folder.mkdir(parents=True, exist_ok=True)
    site = Tombstones(StaticFiles(directory=folder, html=True), folder)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Starlette does not run a mounted app's lifespan: start the receiver here.
        receiver.start(receiver_app)
        yield

    routes = [Mount(receiver_prefix(settings), app=receiver_app), Mount("/", app=site, name="site")]
    return Starlette(routes=routes, lifespan=lifespan)
