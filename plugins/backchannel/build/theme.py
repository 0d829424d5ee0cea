"""Pelican's Jinja environment, set up as its generators set theirs up.

Fast republishing renders the theme's partials outside a Pelican build; with this
environment they come out byte for byte as the build wrote them.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any


def environment(pelican_settings: dict[str, Any]) -> Any:
    """A Jinja environment set up as Pelican's generators set theirs up."""
    import pelican
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
    from pelican.plugins._utils import plugin_enabled

    theme = os.path.join(os.path.expanduser(pelican_settings["THEME"]), "templates")
    paths = [*pelican_settings["THEME_TEMPLATES_OVERRIDES"], theme]
    simple = FileSystemLoader(
        os.path.join(
            os.path.dirname(os.path.abspath(pelican.__file__)), "themes", "simple", "templates"
        )
    )
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(paths),
                simple,
                PrefixLoader({"!simple": simple, "!theme": FileSystemLoader(theme)}),
            ]
        ),
        # Compiled templates are cached (output is unaffected): compiling the
        # partials would otherwise be a third of an approve's time.
        bytecode_cache=_bytecode_cache(pelican_settings),
        **pelican_settings["JINJA_ENVIRONMENT"],
    )
    env.filters.update({"strftime": _strftime})
    env.filters.update(pelican_settings["JINJA_FILTERS"])
    env.globals.update(pelican_settings["JINJA_GLOBALS"])
    env.tests["plugin_enabled"] = partial(plugin_enabled, plugin_list=pelican_settings["PLUGINS"])
    env.tests.update(pelican_settings["JINJA_TESTS"])
    return env


def _strftime(date: datetime, date_format: str) -> str:
    """Pelican's `strftime` filter; the heavy pelican.utils is imported on first use."""
    from pelican.utils import DateFormatter

    return DateFormatter()(date, date_format)


def _bytecode_cache(pelican_settings: dict[str, Any]) -> Any:
    from jinja2 import FileSystemBytecodeCache

    folder = Path(pelican_settings.get("CACHE_PATH") or "cache") / "backchannel-jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))
