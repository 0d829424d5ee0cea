"""Pelican settings for the Backchannel sample site (development)."""

AUTHOR = "Mara Lindqvist"
SITENAME = "Backchannel"
SITESUBTITLE = "Expertise as a conversation: notes on learning from readers"
SITEURL = ""

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "Europe/Stockholm"
DEFAULT_LANG = "en"

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["backchannel"]

STATIC_PATHS = ["images"]
DISPLAY_PAGES_ON_MENU = True
DEFAULT_PAGINATION = 4

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Backchannel: every key and its default is in README ("Settings").
BACKCHANNEL_RECEIVER_URL = "http://127.0.0.1:8000/backchannel"
BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True  # local demo: verify linkbacks from loopback
BACKCHANNEL_AUTHOR_BIO = (
    "Mara Lindqvist advises small organisations on how they organise their work and share "
    "what they know, and writes here about learning from the people she teaches."
)
