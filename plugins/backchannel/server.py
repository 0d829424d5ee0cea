"""The ASGI app that serves the built site and mounts the receiver beside it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from backchannel.settings import Resolved


def receiver_prefix(settings: Resolved) -> str:
    """The path the receiver answers under, from BACKCHANNEL_RECEIVER_URL."""
    return urlsplit(settings.receiver_url).path.rstrip("/") or "/backchannel"


def create_app(settings: Resolved, output: str | Path | None = None) -> Starlette:
    """Site + receiver: the receiver under its URL's path, output/ at the root."""
    routes = []
    try:
        from backchannel.receiver import create_app as create_receiver
    except ImportError:  # the receiver package is optional for serving the site
        create_receiver = None
    if create_receiver is not None:
        routes.append(Mount(receiver_prefix(settings), app=create_receiver(settings)))
    folder = Path(output or settings.values.get("OUTPUT_PATH") or "output")
    folder.mkdir(parents=True, exist_ok=True)
    routes.append(Mount("/", app=StaticFiles(directory=folder, html=True), name="site"))
    return Starlette(routes=routes)
