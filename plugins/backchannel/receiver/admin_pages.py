"""The moderation page's HTML: the inbox, sign-in, confirmations (Jinja2, autoescape on).

Self-contained (its own small stylesheet, no script): it works without
JavaScript, on a 390 px phone, and does not depend on what a theme's CSS does
to buttons. Everything a stranger wrote reaches it as data and is escaped.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

_env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a1a1a;
background:#fff}
header.bar{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;
align-items:center;padding:.5rem 1rem;background:#f0f0f0;border-bottom:1px solid #ccc}
header.bar p{margin:0;font-weight:600}
main{max-width:46rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.1rem;margin:0 0 .25rem;overflow-wrap:anywhere}
.item{border:1px solid #bbb;border-radius:6px;padding:.75rem;margin:0 0 1rem}
.meta,.score,.context p{margin:.25rem 0;color:#444;font-size:.95rem;overflow-wrap:anywhere}
.body{white-space:pre-wrap;overflow-wrap:anywhere;margin:.5rem 0;padding:.5rem;
background:#fafafa;border-left:3px solid #999}
blockquote{margin:.25rem 0 .5rem;padding:.25rem .5rem;border-left:3px solid #bbb;
white-space:pre-wrap;overflow-wrap:anywhere;color:#333}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
button{font:inherit;padding:.5rem .9rem;min-height:44px;border-radius:4px;
border:1px solid #1f4e79;background:#1f4e79;color:#fff;cursor:pointer}
button.quiet{background:#fff;color:#1f4e79}
button.danger{background:#8b1a1a;border-color:#8b1a1a}
button:focus-visible,a:focus-visible,textarea:focus-visible,input:focus-visible{
outline:3px solid #c25400;outline-offset:2px}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}
textarea,input[type=password]{width:100%;font:inherit;padding:.5rem;border:1px solid #666;
border-radius:4px}
a{color:#0b5394}
.notice{padding:.5rem .75rem;border-radius:4px;background:#e8f3e8;border:1px solid #2d6a2d;
white-space:pre-wrap;overflow-wrap:anywhere}
.notice.error{background:#fbeaea;border-color:#8b1a1a}
.notice p{margin:.1rem 0}
"""

_BASE = (
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{ title }}</title>
<style>"""
    + _CSS
    + """</style>
</head><body>
<header class="bar"><p>Backchannel moderation</p>
{% if signout %}<form method="post" action="{{ signout }}">
<input type="hidden" name="csrf" value="{{ csrf }}">
<button type="submit" class="quiet">Sign out</button></form>{% endif %}
</header>
<main>
<h1>{{ title }}</h1>
{% if said or problems %}<div class="notice{{ ' error' if problems }}" role="status">
{% for line in said %}<p>{{ line }}</p>{% endfor %}
{% for line in problems %}<p>{{ line }}</p>{% endfor %}
</div>{% endif %}
@@MAIN@@
</main></body></html>"""
)


def _page(main: str) -> Any:
    return _env.from_string(_BASE.replace("@@MAIN@@", main))


_MESSAGE = _page(
    """<p class="notice{{ ' error' if error }}" role="{{ 'alert' if error else 'status' }}">
{{ message }}</p>
{% if link %}<p><a href="{{ link }}">{{ link_text }}</a></p>{% endif %}"""
)

_SIGN_IN = _page(
    """{% if error %}<p class="notice error" role="alert">{{ error }}</p>{% endif %}
{% if has_password %}
<form method="post" action="{{ action }}">
<input type="hidden" name="csrf" value="{{ csrf }}">
<label for="password">Password</label>
<input id="password" name="password" type="password" required autocomplete="current-password">
<div class="actions"><button type="submit">Sign in</button></div>
</form>
{% else %}
<p>No password is set for this site. Run <code>backchannel admin-password</code> and put
the line it prints into your settings, or sign in once with the link that
<code>backchannel admin-link</code> prints.</p>
{% endif %}
{% if has_password %}<p>Or sign in with a one-time link: <code>backchannel admin-link</code>.</p>
{% endif %}"""
)

_CONFIRM_LINK = _page(
    """<p>This one-time link signs you in to the moderation page.</p>
<form method="post" action="{{ action }}">
<input type="hidden" name="csrf" value="{{ csrf }}">
<input type="hidden" name="t" value="{{ token }}">
<div class="actions"><button type="submit">Sign in</button></div>
</form>"""
)

_ITEM = """<article class="item" id="item-{{ i.id }}" aria-labelledby="h-{{ i.id }}">
<h2 id="h-{{ i.id }}">{{ i.kind_label }} by {{ i.author }}</h2>
<p class="meta">on {% if i.article_url %}<a href="{{ i.article_url }}">{{ i.article_title }}</a>
{% else %}{{ i.article_title }}{% endif %} · {{ i.age }} ago · id <code>{{ i.id }}</code></p>
<p class="score">{% if i.score is not none %}Spam score {{ '%.2f' % i.score }}{% else %}Unscored
{% endif %}{% if i.reasons %}: {{ i.reasons | join('; ') }}{% endif %}</p>
{% if i.parent %}<div class="context">
{% if i.parent_item %}<p>In reply to {{ i.parent_item.author }}
({{ i.parent_item.state }}, id <code>{{ i.parent_item.id }}</code>):</p>
<blockquote>{{ i.parent_excerpt }}</blockquote>
{% else %}<p>In reply to <code>{{ i.parent }}</code>, which no longer exists.</p>{% endif %}
</div>{% endif %}
{% if i.title %}<p class="meta">Title: {{ i.title }}</p>{% endif %}
{% if i.source %}<p class="meta">Source: {% if i.source_safe %}<a href="{{ i.source }}"
rel="nofollow noopener noreferrer">{{ i.source }}</a>{% else %}{{ i.source }}{% endif %}</p>
{% endif %}
<div class="body">{{ i.body }}</div>
{% if not one_click %}
<form method="post" action="{{ base }}/items/{{ i.id }}">
<input type="hidden" name="csrf" value="{{ csrf }}">
<div class="actions">
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="reject" class="quiet">Reject</button>
<button type="submit" name="action" value="spam" class="danger">Spam</button>
<button type="submit" name="action" value="delete" class="danger">Delete</button>
</div></form>
{% if i.is_comment %}<form method="post" action="{{ base }}/items/{{ i.id }}/reply">
<input type="hidden" name="csrf" value="{{ csrf }}">
<label for="reply-{{ i.id }}">Reply as {{ author }} (publishes the comment too)</label>
<textarea id="reply-{{ i.id }}" name="body" rows="4" required></textarea>
<div class="actions"><button type="submit">Reply</button></div>
</form>{% endif %}
{% endif %}
</article>"""

_INBOX = _page(
    """{% for problem in unreadable %}<p class="notice error">Unreadable: {{ problem }}</p>
{% endfor %}
{% if not items %}<p>The inbox is empty.</p>{% endif %}
{% for i in items %}"""
    + _ITEM
    + """
{% endfor %}"""
)

_ONE_CLICK = _page(
    """{% if item %}{% with i = item, one_click = True %}"""
    + _ITEM
    + """{% endwith %}{% endif %}
<form method="post" action="{{ action }}">
<input type="hidden" name="csrf" value="{{ csrf }}">
<input type="hidden" name="t" value="{{ token }}">
<div class="actions"><button type="submit" class="{{ 'danger' if verb == 'spam' }}">
{{ button }}</button></div>
</form>
<p><a href="{{ base }}">Open the moderation page</a></p>"""
)


def message(
    title: str, text: str, *, error: bool = False, link: str = "", link_text: str = ""
) -> str:
    """A page with one message (and an optional link)."""
    return _MESSAGE.render(title=title, message=text, error=error, link=link, link_text=link_text)


def sign_in(action: str, csrf: str, has_password: bool, error: str = "") -> str:
    """The password form (or how to get in without one)."""
    return _SIGN_IN.render(
        title="Sign in", action=action, csrf=csrf, has_password=has_password, error=error
    )


def confirm_link(action: str, token: str, csrf: str) -> str:
    """The one-time sign-in link's button (a GET never spends it)."""
    return _CONFIRM_LINK.render(title="Sign in", action=action, token=token, csrf=csrf)


def link_gone(sign_in_path: str) -> str:
    """A used, expired or unknown sign-in link."""
    return message(
        "Sign-in link not valid",
        "This sign-in link was used already, has expired (15 minutes) or is unknown. "
        "Run `backchannel admin-link` for a new one.",
        error=True,
        link=sign_in_path,
        link_text="Sign in with the password",
    )


def inbox(**context: Any) -> str:
    """The inbox: each item with its score, reasons, thread context and actions."""
    return _INBOX.render(title="Inbox", **context)


def one_click(**context: Any) -> str:
    """The confirmation page of an e-mail's one-click link."""
    return _ONE_CLICK.render(**context)
