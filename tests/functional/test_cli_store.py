"""`backchannel list` and `backchannel check` through the real command line."""

from __future__ import annotations

import json


def test_list_json_has_the_contract_keys(sample_site):
    proc = sample_site.cli("list", "--json")
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)
    assert len(items) == 38
    for key in ("id", "kind", "article", "state", "author", "date", "parent", "source"):
        assert all(key in item for item in items), key
    kinds = {i["kind"] for i in items}
    assert kinds == {"comment", "trackback", "pingback", "webmention"}
    assert not any("@" in json.dumps(i.get("author")) for i in items)


def test_list_filters_by_state_and_article(sample_site):
    inbox = json.loads(sample_site.cli("list", "--state", "inbox", "--json").stdout)
    assert len(inbox) == 2 and {i["state"] for i in inbox} == {"inbox"}
    one = json.loads(sample_site.cli("list", "--article", "read-feedback-first", "--json").stdout)
    assert one and {i["article"] for i in one} == {"read-feedback-first"}
    table = sample_site.cli("list", "--state", "inbox")
    assert table.returncode == 0 and "inbox" in table.stdout


def test_check_is_clean_on_the_sample_and_names_every_problem(sample_site):
    ok = sample_site.cli("check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "all valid" in ok.stdout
    folder = sample_site.feedback / "published" / "read-feedback-first"
    bad = folder / "bad000000001.md"
    bad.write_text(
        "Id: bad000000001\nKind: comment\nArticle: read-feedback-first\n"
        "Author: X\nDate: not a date\nOrigin: receiver\n\nhello\n"
    )
    wrong_folder = folder / "bad000000002.md"
    wrong_folder.write_text(
        "Id: bad000000002\nKind: comment\nArticle: credit-the-askers\n"
        "Author: X\nDate: 2026-10-10T10:00:00+00:00\nOrigin: receiver\n\nhi\n"
    )
    dangling = folder / "bad000000003.md"
    dangling.write_text(
        "Id: bad000000003\nKind: comment\nArticle: read-feedback-first\n"
        "Author: X\nDate: 2026-10-10T10:00:00+00:00\nParent: 000000000000\n"
        "Origin: receiver\n\nhi\n"
    )
    proc = sample_site.cli("check")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert f"{bad}:5: Date: 'not a date'" in "\n".join(lines)
    assert any(line.startswith(f"{wrong_folder}:1:") and "folder" in line for line in lines)
    assert any(line.startswith(f"{dangling}:1:") and "Parent" in line for line in lines)


def test_unknown_setting_is_a_one_line_cli_error(sample_site):
    sample_site.write_conf("BACKCHANNEL_NOPE = 1\n")
    proc = sample_site.cli("list")
    assert proc.returncode == 1
    assert "BACKCHANNEL_NOPE" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_settings_file_is_a_clear_error(sample_site, tmp_path):
    proc = sample_site.cli("-s", str(tmp_path / "nope.py"), "list")
    assert proc.returncode == 1
    assert "nope.py" in proc.stderr and "not found" in proc.stderr


def test_command_table_matches_what_the_modules_define():
    import argparse
    import importlib

    from backchannel.cli import COMMAND_MODULES, COMMANDS

    defined: dict[str, str] = {}
    for name in COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(name).add_commands(sub)
        defined.update(dict.fromkeys(sub.choices, name))
    assert defined == COMMANDS


def test_help_lists_every_command(sample_site):
    proc = sample_site.cli("--help")
    assert proc.returncode == 0
    for command in ("list", "check", "serve", "inbox", "approve", "digest", "import", "send"):
        assert command in proc.stdout
