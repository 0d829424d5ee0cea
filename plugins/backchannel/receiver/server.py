"""The ASGI app that serves the built site and mounts the receiver beside it.

Deleted articles answer 410 Gone (see tombstones.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
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
    routes = []
    receiver_app: Any = None
    try:
        from backchannel import receiver
    except ImportError:  # the receiver package is optional for serving the site
        receiver = None  # type: ignore[assignment]
    if receiver is not None:
        receiver_app = receiver.create_app(settings)
        routes.append(Mount(receiver_prefix(settings), app=receiver_app))
    folder = Path(output or settings.output_path)
    folder.mkdir(parents=True, exist_ok=True)
    site = Tombstones(StaticFiles(directory=folder, html=True), folder)
    routes.append(Mount("/", app=site, name="site"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Starlette does not run a mounted app's lifespan: start the receiver here.
        if receiver_app is not None:
            receiver.start(receiver_app)
        yield

    return Starlette(routes=routes, lifespan=lifespan)
