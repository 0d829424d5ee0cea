"""The few HTML pages the receiver itself serves: no-JS reply form, errors, unsubscribe.

Small and self-contained (Jinja2 with autoescape on, from strings), in the
site's dress: the theme's stylesheet and the same header linking home as the
baked pages, so a reader without JavaScript never lands on a bare page.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment
from markupsafe import Markup
from starlette.responses import HTMLResponse

from backchannel.build.render import ALLOWED_TAGS, LINK_REL

_env = Environment(autoescape=True)

_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex">
<title>{{ title }}{% if site_name %} · {{ site_name }}{% endif %}</title>
<link rel="stylesheet" href="{{ css }}">
</head><body>
<a class="skip-link" href="#content">Skip to content</a>
<header class="site-header"><div class="wrap">
<p class="site-title"><a href="{{ home }}" rel="home">{{ site_name or "Home" }}</a></p>
</div></header>
<main id="content" class="wrap" tabindex="-1"><article class="page">
<h1>{{ title }}</h1>
{% block main %}{% endblock %}
</article></main></body></html>"""

# An error is never dressed as the green "thanks" notice: its own class and role.
_BOX = """{% if error %}<div class="notice is-visible error" role="alert">{{ error }}</div>
{% elif message %}<div class="notice is-visible" role="status">{{ message }}</div>{% endif %}"""

_MESSAGE = _env.from_string(
    _BASE.replace(
        "{% block main %}{% endblock %}",
        _BOX
        + """
{% if back %}<p><a href="{{ back }}">Back to the article</a></p>{% endif %}
{% if form_action %}<form method="post" action="{{ form_action }}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">{{ form_button }}</button></form>{% endif %}""",
    )
)

_REPLY_FORM = _env.from_string(
    _BASE.replace(
        "{% block main %}{% endblock %}",
        """<p>On <a href="{{ article_url }}">{{ article_title }}</a>{% if quote %},
replying to {{ quote.author }}{% endif %}.</p>
{% if quote %}<figure class="reply-quote">
<blockquote class="comment-quote">{{ quote.html }}</blockquote>
<figcaption>— {{ quote.author }}</figcaption></figure>{% endif %}
"""
        + _BOX
        + """
<section class="respond" id="respond" aria-label="Your reply">
<form id="comment-form" class="comment-form" method="post" action="{{ action }}">
<input type="hidden" name="article" value="{{ article }}">
<input type="hidden" name="parent" value="{{ parent }}">
<input type="hidden" name="token" value="{{ token }}">
<div class="field"><label for="cf-author">Name <span class="req">(required)</span></label>
<input id="cf-author" name="author" type="text" required maxlength="100" autocomplete="name"
 value="{{ typed.author }}"></div>
<div class="field"><label for="cf-url">Website <span class="opt">(optional)</span></label>
<input id="cf-url" name="url" type="url" maxlength="300" autocomplete="url"
 value="{{ typed.url }}"></div>
<div class="field"><label for="cf-email">E-mail <span class="opt">(optional)</span></label>
<input id="cf-email" name="email" type="email" maxlength="254" autocomplete="email"
 value="{{ typed.email }}" aria-describedby="cf-email-help">
<p class="help" id="cf-email-help">Never published. Only used to tell you about replies
if you ask for that below.</p></div>
<div class="field field-check"><input id="cf-notify" name="notify" type="checkbox" value="1"
{%- if typed.notify %} checked{% endif %}>
<label for="cf-notify">E-mail me when someone replies</label></div>
<div class="field"><label for="cf-body">Comment <span class="req">(required)</span></label>
<textarea id="cf-body" name="body" rows="7" required aria-describedby="cf-body-help">
{{- typed.body }}</textarea>
<p class="help" id="cf-body-help">Markdown, and these HTML tags:
{% for t in allowed_tags %}<code>&lt;{{ t }}&gt;</code>
{%- if not loop.last %}, {% endif %}{% endfor %}.
Web addresses become links; every link gets <code>rel="{{ link_rel }}"</code>.</p></div>
<div class="hp" aria-hidden="true"><label for="cf-homepage">Leave this empty</label>
<input id="cf-homepage" name="homepage" type="text" value="" tabindex="-1" autocomplete="off"></div>
<p class="note">Comments are moderated.</p>
<div class="actions"><button type="submit">Post comment</button></div>
</form></section>""",
    )
)


@dataclass(frozen=True)
class Quote:
    """The comment a reply answers, as the article page shows it."""

    author: str
    html: Markup  # the one sanitizing renderer's output, never raw text


@dataclass(frozen=True)
class Typed:
    """What the reader typed into the form, given back on an error."""

    author: str = ""
    url: str = ""
    email: str = ""
    notify: bool = False
    body: str = ""


def css_url(siteurl: str) -> str:
    """The theme stylesheet, relative to the site root."""
    return f"{siteurl.rstrip('/')}/theme/css/backchannel.css"


def _frame(title: str, siteurl: str, site_name: str) -> dict[str, str]:
    return {
        "title": title,
        "css": css_url(siteurl),
        "home": f"{siteurl.rstrip('/')}/",
        "site_name": site_name,
    }


def message_response(
    title: str,
    message: str,
    siteurl: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    back: str | None = None,
    form_action: str | None = None,
    form_button: str = "",
    site_name: str = "",
) -> HTMLResponse:
    """A page with one message: an error when `status` is one, a confirmation, a form."""
    error = status >= 400
    html = _MESSAGE.render(
        **_frame(title, siteurl, site_name),
        message=None if error else message,
        error=message if error else None,
        back=back,
        form_action=form_action,
        form_button=form_button,
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def reply_form_page(
    *,
    action: str,
    article: str,
    article_title: str,
    article_url: str,
    parent: str,
    quote: Quote | None,
    token: str,
    siteurl: str,
    site_name: str = "",
    typed: Typed | None = None,
    error: str | None = None,
) -> str:
    """The reply form for readers without JavaScript, again with the typed text on an error."""
    return _REPLY_FORM.render(
        **_frame(
            f"Reply: {article_title}" if parent else f"Comment: {article_title}", siteurl, site_name
        ),
        action=action,
        article=article,
        article_title=article_title,
        article_url=article_url,
        parent=parent,
        quote=quote,
        token=token,
        typed=typed or Typed(),
        error=error,
        message=None,
        # What the one sanitizer keeps, as the article page's form says it.
        allowed_tags=sorted(ALLOWED_TAGS),
        link_rel=LINK_REL,
    )
