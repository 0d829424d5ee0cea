"""The few HTML pages the receiver itself serves: no-JS reply form, errors, unsubscribe.

Small and self-contained (Jinja2 with autoescape on, from strings), styled by
the theme's own stylesheet so they look like the site.
"""

from __future__ import annotations

from jinja2 import Environment

_env = Environment(autoescape=True)

_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{ title }}</title>
<link rel="stylesheet" href="{{ css }}">
</head><body><main class="container"><article class="page">
<h1>{{ title }}</h1>
{% block main %}{% endblock %}
</article></main></body></html>"""

_MESSAGE = _env.from_string(
    _BASE.replace(
        "{% block main %}{% endblock %}",
        """<p class="{{ css_class }}" role="{{ 'alert' if error else 'status' }}">{{ message }}</p>
{% if back %}<p><a href="{{ back }}">Back to the article</a></p>{% endif %}
{% if form_action %}<form method="post" action="{{ form_action }}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">{{ form_button }}</button></form>{% endif %}""",
    )
)

_REPLY_FORM = _env.from_string(
    _BASE.replace(
        "{% block main %}{% endblock %}",
        """<p>On <a href="{{ article_url }}">{{ article_title }}</a>{% if parent_author %},
replying to {{ parent_author }}{% endif %}.</p>
<section class="respond" id="respond">
<form id="comment-form" class="comment-form" method="post" action="{{ action }}">
<input type="hidden" name="article" value="{{ article }}">
<input type="hidden" name="parent" value="{{ parent }}">
<input type="hidden" name="token" value="{{ token }}">
<div class="field"><label for="cf-author">Name <span class="req">(required)</span></label>
<input id="cf-author" name="author" type="text" required maxlength="100" autocomplete="name"></div>
<div class="field"><label for="cf-url">Website <span class="opt">(optional)</span></label>
<input id="cf-url" name="url" type="url" maxlength="300" autocomplete="url"></div>
<div class="field"><label for="cf-email">E-mail <span class="opt">(optional)</span></label>
<input id="cf-email" name="email" type="email" maxlength="254" autocomplete="email">
<p class="help">Never published. Only used to tell you about replies
if you ask for that below.</p></div>
<div class="field field-check"><input id="cf-notify" name="notify" type="checkbox" value="1">
<label for="cf-notify">E-mail me when someone replies</label></div>
<div class="field"><label for="cf-body">Comment <span class="req">(required)</span></label>
<textarea id="cf-body" name="body" rows="7" required></textarea>
<p class="help">Markdown supported.</p></div>
<div class="hp" aria-hidden="true"><label for="cf-homepage">Leave this empty</label>
<input id="cf-homepage" name="homepage" type="text" value="" tabindex="-1" autocomplete="off"></div>
<p class="note">Comments are moderated.</p>
<div class="actions"><button type="submit">Post comment</button></div>
</form></section>""",
    )
)


def css_url(siteurl: str) -> str:
    """The theme stylesheet, relative to the site root."""
    return f"{siteurl.rstrip('/')}/theme/css/backchannel.css"


def message_page(
    title: str,
    message: str,
    siteurl: str,
    *,
    error: bool = False,
    back: str | None = None,
    form_action: str | None = None,
    form_button: str = "",
) -> str:
    """A page with one message (an error, a confirmation, a one-button form)."""
    return _MESSAGE.render(
        title=title,
        message=message,
        css=css_url(siteurl),
        error=error,
        back=back,
        css_class="notice is-visible error" if error else "notice is-visible",
        form_action=form_action,
        form_button=form_button,
    )


def reply_form_page(
    *,
    action: str,
    article: str,
    article_title: str,
    article_url: str,
    parent: str,
    parent_author: str | None,
    token: str,
    siteurl: str,
) -> str:
    """The reply form for readers without JavaScript (reached from a comment's Reply link)."""
    return _REPLY_FORM.render(
        title=f"Reply: {article_title}",
        css=css_url(siteurl),
        action=action,
        article=article,
        article_title=article_title,
        article_url=article_url,
        parent=parent,
        parent_author=parent_author,
        token=token,
    )
