"""Every BACKCHANNEL_* setting: its default, its type and one line of help.

Settings are data (as in Datasette): this table is the single place defaults
live, README's settings reference is checked against it by a test, and
`resolve()` is the one loader used by the Pelican build, the CLI and the
receiver. Code reads the resolved values, never `settings.get(KEY, literal)`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from backchannel.errors import SettingsError

logger = logging.getLogger(__name__)

PREFIX = "BACKCHANNEL_"


@dataclass(frozen=True)
class Setting:
    """One setting: name, default, accepted types and a line of help."""

    name: str
    default: Any
    types: tuple[type, ...]
    help: str


def _s(name: str, default: Any, types: tuple[type, ...] | type, help: str) -> Setting:
    if not isinstance(types, tuple):
        types = (types,)
    return Setting(PREFIX + name, default, types, help)


SETTINGS: tuple[Setting, ...] = (
    # --- store and bake -------------------------------------------------
    _s(
        "FEEDBACK_PATH",
        "feedback",
        str,
        "Folder of the feedback store, relative to the site root (the folder holding PATH).",
    ),
    _s(
        "RECEIVER_URL",
        "http://127.0.0.1:8000/backchannel",
        str,
        "Absolute URL where the receiver answers; the comment form posts here.",
    ),
    _s(
        "SITE_AUTHOR",
        None,
        (str, type(None)),
        "Name shown on the author's replies; None uses AUTHOR.",
    ),
    _s(
        "ALIASES",
        {},
        dict,
        "Old slug, URL or path -> current article id, so a moved post keeps its thread.",
    ),
    _s(
        "COMMENT_FEEDS",
        True,
        bool,
        "Write an Atom feed of comments per article and one for the whole site.",
    ),
    _s("FEED_MAX_ITEMS", 50, int, "How many comments the site-wide comment feed keeps."),
    # --- reader furniture ---------------------------------------------------
    _s(
        "AUTHOR_BIO",
        None,
        (str, type(None)),
        "Short plain-text bio in an h-card box under the site author's posts; None: no box.",
    ),
    _s(
        "AUTHOR_URL",
        None,
        (str, type(None)),
        "The author box's link; None links the author's page on this site.",
    ),
    _s("AUTHOR_PHOTO", None, (str, type(None)), "URL of the author box's photo; None: no photo."),
    _s(
        "SECRET",
        None,
        (str, type(None)),
        "Key for signed tokens and e-mail hashes; None keeps a generated one in the private area.",
    ),
    # --- receiver ---------------------------------------------------------
    _s(
        "RATE_LIMIT",
        "20/minute",
        (str, type(None)),
        "Requests per client, as 'N/second|minute|hour'; None turns rate limiting off.",
    ),
    _s(
        "MIN_SECONDS_TO_POST",
        3,
        (int, float),
        "A comment sent sooner than this after its form token was issued is refused (429); "
        "one without a token (no JavaScript) is held; 0 turns the check off.",
    ),
    _s("TOKEN_MAX_AGE", 86400, int, "Seconds a form's timing token stays valid."),
    _s("MAX_LINKS", 2, int, "A comment with more links than this is held for moderation."),
    _s(
        "BLOCKLIST",
        [],
        (list, tuple),
        "Words, URLs or IP ranges (CIDR) whose items are marked as spam.",
    ),
    _s("MAX_BODY_BYTES", 65536, int, "Largest request body the receiver accepts."),
    _s(
        "MAX_FIELD_CHARS",
        10000,
        int,
        "Longest comment body in characters; names and URLs are capped lower.",
    ),
    _s(
        "ALLOW_PRIVATE_ADDRESSES",
        False,
        bool,
        "Let the fetcher reach private and loopback addresses (tests and local demos only).",
    ),
    _s("FETCH_TIMEOUT", 5.0, (int, float), "Seconds an outbound fetch may take in all."),
    _s("FETCH_MAX_BYTES", 1048576, int, "Largest response body an outbound fetch reads."),
    _s(
        "USER_AGENT",
        "Backchannel/0.1 (Webmention, Pingback, TrackBack; +linkback verification)",
        str,
        "User-Agent of every outbound request.",
    ),
    _s(
        "WEBMENTION_STATUS_DAYS",
        30,
        (int, type(None)),
        "Days a finished webmention's status record (its status URL) is kept after its last "
        "change; None keeps them all.",
    ),
    # --- moderation and notifications ---------------------------------------
    _s(
        "AUTO_APPROVE_KNOWN",
        False,
        bool,
        "Publish at once link-free comments from the browser and e-mail of an earlier approved"
        " comment.",
    ),
    _s(
        "SPAM_THRESHOLD",
        0.95,
        (int, float, type(None)),
        "New items scoring at least this (0-1) go straight to spam; None keeps all in the inbox.",
    ),
    _s(
        "REPUBLISH",
        True,
        bool,
        "After approve/reply/reject/edit/delete, update output/ in place when it exists.",
    ),
    _s("SMTP_HOST", None, (str, type(None)), "SMTP server for notifications; None sends no mail."),
    _s("SMTP_PORT", 25, int, "SMTP server port."),
    _s("SMTP_USER", None, (str, type(None)), "SMTP user name, if the server needs one."),
    _s(
        "SMTP_PASSWORD",
        None,
        (str, type(None)),
        "SMTP password; better set through the environment variable of the same name.",
    ),
    _s("SMTP_STARTTLS", False, bool, "Use STARTTLS with the SMTP server."),
    _s("MAIL_FROM", "backchannel@localhost", str, "From address of notification mail."),
    _s(
        "ADMIN_PASSWORD_HASH",
        None,
        (str, type(None)),
        "Hash of the moderation page's password (`backchannel admin-password`); the environment "
        "variable of the same name overrides it; None: sign in only with `backchannel admin-link`.",
    ),
    _s(
        "AUTHOR_EMAIL",
        None,
        (str, type(None)),
        "Where new-inbox notifications go; None sends none.",
    ),
    # --- importers and collectors -----------------------------------------
    _s(
        "FEEDS",
        [],
        (list, tuple),
        "Feeds (URLs or files) of comments or mentions that `backchannel collect` pulls.",
    ),
    # --- digest -------------------------------------------------------------
    _s(
        "PUBLISH_DIGEST",
        False,
        bool,
        "Copy the newest HTML digest into the built site as output/digest/ (off: the digest "
        "names readers and open questions, so it stays private unless you choose otherwise).",
    ),
    # --- sending linkbacks ----------------------------------------------------
    _s(
        "SEND_ON_PUBLISH",
        False,
        bool,
        "`make publish` sends webmentions, pingbacks and trackbacks for new links.",
    ),
    _s(
        "SEND_RETRY_BASE",
        3600,
        (int, float),
        "Seconds before the first retry of a failed linkback; each retry waits twice as long.",
    ),
    _s(
        "SEND_MAX_ATTEMPTS",
        6,
        int,
        "Failed tries of one linkback before `backchannel send` gives up (until the post changes).",
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


# The Pelican settings Backchannel reads, with Pelican's own defaults (pelican/settings.py).
PELICAN_DEFAULTS: dict[str, Any] = {
    "AUTHOR": "",
    "SITENAME": "A Pelican Blog",
    "SITEURL": "",
    "TIMEZONE": "UTC",
    "DEFAULT_DATE_FORMAT": "%a %d %B %Y",
    "PATH": "content",
    "OUTPUT_PATH": "output",
    "CACHE_PATH": "cache",
}


@dataclass(frozen=True)
class Resolved:
    """The resolved BACKCHANNEL_* values, and each Pelican setting we read as a typed field."""

    values: dict[str, Any]  # BACKCHANNEL_* only
    base_dir: Path
    author: str = ""
    site_name: str = PELICAN_DEFAULTS["SITENAME"]
    site_url: str = ""
    timezone: str = "UTC"
    date_format: str = PELICAN_DEFAULTS["DEFAULT_DATE_FORMAT"]
    content_path: Path = Path("content")
    output_path: Path = Path("output")
    cache_dir: Path | None = None
    theme: str = ""
    # The whole Pelican settings dict, only to hand to Pelican's own readers and
    # Jinja set-up (empty where no settings file was read); never read key by key.
    pelican: dict[str, Any] = field(default_factory=dict)
    # Where `load` read them: the settings file and `pelican -e`-style overrides.
    settings_file: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, short_name: str) -> Any:
        return self.values[PREFIX + short_name]

    @property
    def feedback_path(self) -> Path:
        """Absolute path of the store."""
        return (self.base_dir / self["FEEDBACK_PATH"]).resolve()

    @property
    def receiver_url(self) -> str:
        """Receiver URL without a trailing slash."""
        return self["RECEIVER_URL"].rstrip("/")

    @property
    def site_author(self) -> str:
        """Name the author's replies are published under."""
        return self["SITE_AUTHOR"] or self.author or "Author"


def _pelican_value(settings: dict[str, Any], key: str) -> Any:
    """A Pelican setting we read, or Pelican's default when unset (or set to None)."""
    value = settings.get(key)
    return PELICAN_DEFAULTS[key] if value is None else value


def resolve(
    settings: dict[str, Any], base_dir: Path | str | None = None, *, full: bool = False
) -> Resolved:
    """Validate BACKCHANNEL_* keys of a settings dict and fill in defaults.

    An unknown BACKCHANNEL_ key stops with SettingsError naming it (a typo would
    otherwise silently fall back to a default); a value of the wrong type is
    warned about by name and replaced by the default, as Pelican does.
    The caller's dict is never mutated. `full`: `settings` is a whole Pelican
    settings dict, kept for Pelican's readers and templates.
    """
    unknown = sorted(k for k in settings if k.startswith(PREFIX) and k not in BY_NAME)
    if unknown:
        raise SettingsError(
            "backchannel: unknown setting(s) "
            + ", ".join(unknown)
            + " (known: see README, section Settings)"
        )
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = settings.get(setting.name, setting.default)
        if not isinstance(value, setting.types) or (
            isinstance(value, bool) and bool not in setting.types
        ):
            logger.warning(
                "backchannel: %s should be %s, got %r; using the default %r",
                setting.name,
                " or ".join(t.__name__ for t in setting.types),
                value,
                setting.default,
            )
            value = setting.default
        elif isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            # Every number here is a count, a size, a time or a score: a negative
            # one would silently empty a feed or refuse every comment.
            logger.warning(
                "backchannel: %s must not be negative, got %r; using the default %r",
                setting.name,
                value,
                setting.default,
            )
            value = setting.default
        values[setting.name] = value
    rate = values[PREFIX + "RATE_LIMIT"]
    if rate is not None:
        try:
            parse_rate(rate)
        except SettingsError as exc:
            logger.warning("backchannel: %s; using the default", exc)
            values[PREFIX + "RATE_LIMIT"] = BY_NAME[PREFIX + "RATE_LIMIT"].default
    if base_dir is None:
        # The site root is the folder holding the content folder: Pelican has
        # already made PATH absolute, so the build and the CLI agree on it.
        base_dir = Path(settings["PATH"]).parent if "PATH" in settings else Path.cwd()
    cache = settings.get("CACHE_PATH")
    return Resolved(
        values=values,
        base_dir=Path(base_dir),
        author=str(_pelican_value(settings, "AUTHOR")),
        site_name=str(_pelican_value(settings, "SITENAME")),
        site_url=str(_pelican_value(settings, "SITEURL")),
        timezone=str(_pelican_value(settings, "TIMEZONE")),
        date_format=str(_pelican_value(settings, "DEFAULT_DATE_FORMAT")),
        # Relative paths mean what they mean to Pelican: from the working folder.
        content_path=Path(_pelican_value(settings, "PATH")),
        output_path=Path(_pelican_value(settings, "OUTPUT_PATH")),
        # Derived data is cached only where the settings name a cache folder.
        cache_dir=Path(cache) if cache else None,
        theme=str(settings.get("THEME") or ""),
        pelican=dict(settings) if full else {},
    )


_PERIODS = {"second": 1, "minute": 60, "hour": 3600}


def parse_rate(rate: str) -> tuple[int, int]:
    """Parse 'N/minute' into (N, seconds)."""
    count, _, period = rate.partition("/")
    try:
        n = int(count)
        seconds = _PERIODS[period.strip()]
    except (ValueError, KeyError):
        raise SettingsError(
            f"BACKCHANNEL_RATE_LIMIT {rate!r} is not 'N/second', 'N/minute' or 'N/hour'"
        ) from None
    if n <= 0:
        raise SettingsError(f"BACKCHANNEL_RATE_LIMIT {rate!r} must allow at least 1 request")
    return n, seconds


def load(
    settings_file: Path | str = "pelicanconf.py", overrides: dict[str, Any] | None = None
) -> Resolved:
    """Read a Pelican settings file (with `pelican -e`-style overrides) and resolve it."""
    from pelican.settings import read_settings

    path = Path(settings_file).resolve()
    if not path.is_file():
        raise SettingsError(f"backchannel: settings file {settings_file} not found")
    pelican_settings = read_settings(str(path), override=dict(overrides or {}))
    return replace(
        resolve(pelican_settings, full=True), settings_file=path, overrides=dict(overrides or {})
    )
