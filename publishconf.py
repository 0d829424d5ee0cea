"""Pelican settings for publishing: pelicanconf.py plus the production overrides."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://example.org")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"

BACKCHANNEL_RECEIVER_URL = os.environ.get("BACKCHANNEL_RECEIVER_URL", SITEURL + "/backchannel")
BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = False
BACKCHANNEL_PUBLISH_DIGEST = False
BACKCHANNEL_SEND_ON_PUBLISH = os.environ.get("BACKCHANNEL_SEND_ON_PUBLISH") == "1"
BACKCHANNEL_SMTP_HOST = os.environ.get("BACKCHANNEL_SMTP_HOST")
BACKCHANNEL_SMTP_PORT = int(os.environ.get("BACKCHANNEL_SMTP_PORT", "25"))
BACKCHANNEL_SMTP_USER = os.environ.get("BACKCHANNEL_SMTP_USER")
BACKCHANNEL_SMTP_PASSWORD = os.environ.get("BACKCHANNEL_SMTP_PASSWORD")
BACKCHANNEL_AUTHOR_EMAIL = os.environ.get("BACKCHANNEL_AUTHOR_EMAIL")
