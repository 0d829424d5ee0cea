"""GET/POST /unsubscribe?h=&t=: stop reply notifications (RFC 8058 one-click).

GET only shows a confirmation button (mail scanners follow links; a GET must
not unsubscribe anyone); POST, from that button or a mail client's one-click
`List-Unsubscribe=One-Click`, records it through `mail.unsubscribe`.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from backchannel.moderation import mail
from backchannel.receiver import pages
from backchannel.receiver.context import limit_rate, read_body, receiver_of
from backchannel.receiver.problems import RequestProblem


async def unsubscribe(request: Request) -> Response:
    """Confirm (GET) or record (POST) an unsubscribe."""
    receiver = receiver_of(request)
    email_hash = request.query_params.get("h", "")
    token = request.query_params.get("t", "")
    siteurl = receiver.articles.siteurl_or_empty()
    name = receiver.settings.site_name  # the header of every page links home by it
    if not email_hash or not token:
        message = "This unsubscribe link is incomplete."
        return pages.message_response("Unsubscribe", message, siteurl, status=400, site_name=name)
    if request.method == "GET":
        return pages.message_response(
            "Unsubscribe",
            "Stop e-mails about replies to your comments?",
            siteurl,
            headers={"Cache-Control": "no-store"},
            # The same link, relative: the client's Host header never reaches a page.
            form_action="?" + request.url.query,
            form_button="Unsubscribe",
            site_name=name,
        )
    try:
        await limit_rate(request)
        await read_body(request)
    except RequestProblem as exc:
        return pages.message_response(
            "Unsubscribe",
            exc.reason,
            siteurl,
            status=exc.status,
            headers=exc.headers,
            site_name=name,
        )
    ok = await run_in_threadpool(mail.unsubscribe, receiver.store, email_hash, token)
    if not ok:
        message = "This unsubscribe link is not valid."
        return pages.message_response("Unsubscribe", message, siteurl, status=400, site_name=name)
    message = "Done: you will get no more e-mails about replies."
    return pages.message_response("Unsubscribed", message, siteurl, site_name=name)
