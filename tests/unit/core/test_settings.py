"""Settings as data: defaults in one place, every one documented in README."""

from __future__ import annotations

import logging

import pytest
from backchannel.errors import SettingsError
from backchannel.settings import SETTINGS, parse_rate, resolve
from conftest import ROOT


def test_every_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text("utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert not missing, f"README lacks: {missing}"


def test_every_setting_has_help_and_a_default_of_its_type():
    for s in SETTINGS:
        assert s.help.strip(), s.name
        assert isinstance(s.default, s.types), s.name


def test_unknown_key_is_an_error_naming_it():
    with pytest.raises(SettingsError, match="BACKCHANNEL_TYPO"):
        resolve({"BACKCHANNEL_TYPO": 1})


def test_wrong_type_warns_by_name_and_falls_back(caplog):
    with caplog.at_level(logging.WARNING):
        resolved = resolve(
            {"BACKCHANNEL_MAX_LINKS": "many", "BACKCHANNEL_RATE_LIMIT": "3/fortnight"}
        )
    assert resolved["MAX_LINKS"] == 2
    assert resolved["RATE_LIMIT"] == "20/minute"
    assert "BACKCHANNEL_MAX_LINKS" in caplog.text and "BACKCHANNEL_RATE_LIMIT" in caplog.text


def test_a_negative_number_warns_by_name_and_falls_back(caplog):
    with caplog.at_level(logging.WARNING):
        resolved = resolve(
            {
                "BACKCHANNEL_FEED_MAX_ITEMS": -1,
                "BACKCHANNEL_FETCH_TIMEOUT": -0.5,
                "BACKCHANNEL_MIN_SECONDS_TO_POST": 0,
            }
        )
    assert resolved["FEED_MAX_ITEMS"] == 50
    assert resolved["FETCH_TIMEOUT"] == 5.0
    assert resolved["MIN_SECONDS_TO_POST"] == 0  # zero turns the check off: kept
    assert "BACKCHANNEL_FEED_MAX_ITEMS must not be negative" in caplog.text
    assert "BACKCHANNEL_FETCH_TIMEOUT" in caplog.text
    assert "MIN_SECONDS_TO_POST" not in caplog.text


def test_the_callers_dict_is_not_mutated():
    mine = {"BACKCHANNEL_MAX_LINKS": 5}
    resolve(mine)
    assert mine == {"BACKCHANNEL_MAX_LINKS": 5}


def test_none_turns_rate_limit_off_and_rates_parse():
    assert resolve({"BACKCHANNEL_RATE_LIMIT": None})["RATE_LIMIT"] is None
    assert parse_rate("10/second") == (10, 1)
    assert parse_rate("5/hour") == (5, 3600)
    with pytest.raises(SettingsError):
        parse_rate("0/minute")


def test_pelican_settings_are_typed_fields_with_pelicans_defaults():
    resolved = resolve({"SITEURL": "https://example.org"})
    assert resolved.site_url == "https://example.org"
    assert resolved.site_name == "A Pelican Blog" and resolved.timezone == "UTC"
    assert resolved.date_format == "%a %d %B %Y" and resolved.cache_dir is None
    assert resolve({"SITEURL": None}).site_url == ""


def test_no_code_reads_a_setting_with_its_own_fallback():
    """Defaults live in settings.py alone: no `values.get(KEY, literal)` elsewhere."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "plugins" / "backchannel").rglob("*.py")
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if "settings.values" in line or (".values.get(" in line and "settings" in line)
    ]
    assert not offenders, offenders
