"""GET/POST /unsubscribe?h=&t=: stop reply notifications (RFC 8058 one-click).

GET only shows a confirmation button (mail scanners follow links; a GET must
not unsubscribe anyone); POST, from that button or a mail client's one-click
`List-Unsubscribe=One-Click`, records it through `mail.unsubscribe`.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from backchannel.moderation import mail
from backchannel.receiver import pages
from backchannel.receiver.context import limit_rate, read_body, receiver_of
from backchannel.receiver.problems import RequestProblem


def _siteurl(request: Request) -> str:
    try:
        return receiver_of(request).articles.siteurl
    except RequestProblem:
        return ""


async def unsubscribe(request: Request) -> Response:
    """Confirm (GET) or record (POST) an unsubscribe."""
    receiver = receiver_of(request)
    email_hash = request.query_params.get("h", "")
    token = request.query_params.get("t", "")
    siteurl = _siteurl(request)
    name = receiver.settings.site_name  # the header of every page links home by it
    if not email_hash or not token:
        return HTMLResponse(
            pages.message_page(
                "Unsubscribe",
                "This unsubscribe link is incomplete.",
                siteurl,
                error=True,
                site_name=name,
            ),
            status_code=400,
        )
    if request.method == "GET":
        return HTMLResponse(
            pages.message_page(
                "Unsubscribe",
                "Stop e-mails about replies to your comments?",
                siteurl,
                # The same link, relative: the client's Host header never reaches a page.
                form_action="?" + request.url.query,
                form_button="Unsubscribe",
                site_name=name,
            ),
            headers={"Cache-Control": "no-store"},
        )
    try:
        await limit_rate(request)
        await read_body(request)
    except RequestProblem as exc:
        return HTMLResponse(
            pages.message_page("Unsubscribe", exc.reason, siteurl, error=True, site_name=name),
            status_code=exc.status,
            headers=exc.headers,
        )
    ok = await run_in_threadpool(mail.unsubscribe, receiver.store, email_hash, token)
    if not ok:
        return HTMLResponse(
            pages.message_page(
                "Unsubscribe",
                "This unsubscribe link is not valid.",
                siteurl,
                error=True,
                site_name=name,
            ),
            status_code=400,
        )
    return HTMLResponse(
        pages.message_page(
            "Unsubscribed",
            "Done: you will get no more e-mails about replies.",
            siteurl,
            site_name=name,
        )
    )
