"""The receiver: an ASGI app taking comments, TrackBacks, Pingbacks and Webmentions.

`create_app(settings)` builds it; nothing happens at import time. The route
table below is the whole public surface; `backchannel.receiver.server` mounts the app
under the path of BACKCHANNEL_RECEIVER_URL, beside the built site.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backchannel.receiver import (
    admin,
    comments,
    pingback,
    reply,
    trackback,
    unsubscribe,
    webmention,
)
from backchannel.receiver.context import Receiver
from backchannel.receiver.problems import RequestProblem
from backchannel.settings import Resolved

ROUTES = (
    ("/comments", comments.post_comment, ["POST"]),
    ("/comments", comments.get_comments, ["GET"]),
    ("/comments/new", reply.new_comment_form, ["GET"]),
    ("/token", comments.get_token, ["GET"]),
    ("/trackback/{article}", trackback.post_trackback, ["POST"]),
    ("/pingback", pingback.post_pingback, ["POST"]),
    ("/webmention", webmention.post_webmention, ["POST"]),
    ("/webmention/status/{id}", webmention.get_status, ["GET"]),
    ("/unsubscribe", unsubscribe.unsubscribe, ["GET", "POST"]),
    *admin.ROUTES,  # the moderation page (sign-in, inbox, one-click links)
)


async def _problem(request: Request, exc: Exception) -> Response:
    """Fallback for a RequestProblem an endpoint did not map itself (e.g. no build yet)."""
    assert isinstance(exc, RequestProblem)
    return JSONResponse({"error": exc.reason}, status_code=exc.status, headers=exc.headers)


def _site_origins(settings: Resolved) -> list[str]:
    """Origins whose pages may call the receiver from script (SITEURL's, if it differs)."""
    origins = []
    for url in (settings.site_url, settings.receiver_url):
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


def start(app: Starlette) -> None:
    """At startup: clear a crash's temp files, verify again the webmentions it left queued."""
    receiver = app.state.receiver
    receiver.store.sweep_temps()
    webmention.resume_queued(receiver)  # spawns tasks: needs the running loop


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    # Served on its own: resume at once, not at the first webmention request,
    # so a 202 whose verification a kill interrupted is kept even if no other
    # webmention ever arrives. (Mounted apps get no lifespan: server.py calls start.)
    start(app)
    yield


def create_app(settings: Resolved) -> Starlette:
    """The receiver app for one site."""
    app = Starlette(
        lifespan=_lifespan,
        routes=[Route(path, endpoint, methods=methods) for path, endpoint, methods in ROUTES],
        exception_handlers={RequestProblem: _problem},
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=_site_origins(settings),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type"],
            )
        ],
    )
    app.state.receiver = Receiver.build(settings)
    return app
