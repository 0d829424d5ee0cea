"""The item format: round trips, and every malformed header refused with its line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from backchannel import model
from backchannel.errors import ItemFormatError
from backchannel.field_policy import UNWANTED, clean_text, has_unwanted
from backchannel.model import Item, Kind, MentionType, dumps, loads
from hypothesis import given, settings
from hypothesis import strategies as st

GOOD = """Id: 7f3a9c2e41b0
Kind: comment
Article: discovery-not-delivery
Author: Ana Souza
Author-Url: https://ana.example.org/
Date: 2026-10-03T09:14:00+00:00
Origin: receiver

How do you decide which questions deserve a whole post?
"""


def test_parse_good_item():
    item = loads(GOOD)
    assert item.id == "7f3a9c2e41b0"
    assert item.kind is Kind.COMMENT
    assert item.author_url == "https://ana.example.org/"
    assert item.date == datetime(2026, 10, 3, 9, 14, tzinfo=UTC)
    assert item.body.startswith("How do you decide")


def test_round_trip_keeps_every_field():
    item = Item(
        id="abc123def456",
        kind=Kind.WEBMENTION,
        article="a-post",
        author="Ö. Writer",
        date=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5))),
        origin="receiver",
        body="Liked it\n\nsecond para",
        source="https://x.example/p",
        title="A title",
        mention_type=MentionType.REPLY,
        reasons=("3 links", "too fast"),
        spam_score=0.25,
        author_reply=False,
        origin_url="https://old.example/p",
    )
    again = loads(dumps(item))
    assert again == item


def test_header_values_cannot_forge_lines():
    item = Item(
        id="abc123def456",
        kind=Kind.COMMENT,
        article="a",
        author="Eve\nKind: spam",
        date=datetime(2026, 1, 1, tzinfo=UTC),
        origin="receiver",
        body="hi",
    )
    text = dumps(item)
    assert "\nKind: spam" not in text
    assert loads(text).author == "Eve Kind: spam"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (GOOD.replace("Kind: comment", "Kind: review"), 2, "unknown kind"),
        (GOOD.replace("2026-10-03T09:14:00+00:00", "yesterday"), 6, "Date"),
        (GOOD.replace("2026-10-03T09:14:00+00:00", "2026-10-03T09:14:00"), 6, "time zone"),
        (GOOD.replace("Article: discovery-not-delivery\n", ""), 1, "Article"),
        (GOOD.replace("Article: discovery-not-delivery", "Article: ../../etc"), 3, "article id"),
        (GOOD.replace("Id: 7f3a9c2e41b0", "Id: ../x"), 1, "Id"),
        (GOOD.replace("Origin: receiver", "Origin receiver"), 7, "Key: value"),
        (GOOD.replace("Origin: receiver", "Colour: blue"), 7, "unknown header"),
        (GOOD.replace("Origin: receiver", "Origin: receiver\nOrigin: x"), 8, "repeated"),
        (
            GOOD.replace("How do you decide which questions deserve a whole post?\n", ""),
            9,
            "empty body",
        ),
        (  # white space of any kind is no text either
            GOOD.replace("How do you decide which questions deserve a whole post?", " \t\u2003 "),
            9,
            "empty body",
        ),
        (GOOD.replace("Origin: receiver", "Origin: receiver\nParent: NOT-AN-ID"), 8, "Parent"),
        (GOOD.replace("https://ana.example.org/", "javascript:alert(1)"), 5, "http"),
        (GOOD.replace("Kind: comment", "Kind: webmention"), 1, "Source"),
        ("", 1, "empty"),
    ],
)
def test_bad_items_name_the_line(text, line, fragment):
    with pytest.raises(ItemFormatError) as info:
        loads(text, path="x.md")
    assert info.value.line == line
    assert fragment.lower() in info.value.reason.lower()
    assert str(info.value).startswith(f"x.md:{line}:")


# Any characters, control characters and lone surrogates included: what a stranger sends.
chars = st.characters() | st.sampled_from("\x00\x1b\x07\x9b\x85\r\ud800\ufffe\t")
names = st.text(chars, min_size=1, max_size=40).filter(lambda s: clean_text(s).split())
bodies = st.text(chars, min_size=1, max_size=300).filter(lambda s: clean_text(s).strip())


@settings(max_examples=150, deadline=None)
@given(author=names, body=bodies, title=st.one_of(st.none(), names), minutes=st.integers(-720, 720))
def test_write_read_round_trip_property(author, body, title, minutes):
    item = Item(
        id="0123456789ab",
        kind=Kind.COMMENT,
        article="post",
        author=author,
        date=datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(minutes=minutes))),
        origin="receiver",
        body=body,
        title=title,
    )
    text = dumps(item)
    text.encode("utf-8")  # no lone surrogate left
    assert not UNWANTED.search(text.replace("\n", "").replace("\t", ""))
    again = loads(text)
    assert again.author == " ".join(clean_text(author).split())
    assert again.title == (" ".join(clean_text(title).split()) if title else None)
    assert again.body == clean_text(body).strip("\n")
    assert again.date == item.date


def test_one_policy_for_every_field_of_an_item_made_in_code() -> None:
    """Issue 20 F1/F7/F8: controls removed, lengths capped, only http(s) URLs kept."""
    item = Item(
        id="0123456789ab",
        kind=Kind.WEBMENTION,
        article="post",
        author="\x1b]0;pwned\x07Eve\x1b[2J" + "e" * 300_000,
        date=datetime(2026, 5, 1, tzinfo=UTC),
        origin="receiver",
        body="a\x00b\r\nc\x9b31m",
        source="https://ok.example/post",
        title="T" * 500_000,
        author_url="javascript:alert(1)",
        reasons=("held\x1b[31m", "\x00"),
    )
    assert item.author.startswith("]0;pwnedEve[2J") and len(item.author) == 100
    assert item.author.endswith("…") and len(item.title) == 300
    assert item.body == "ab\nc31m" and item.author_url is None
    assert item.reasons == ("held[31m",)
    assert loads(dumps(item)).author == item.author
    for url in ("data:text/html,x", " JAVASCRIPT:x", "ftp://x/", "http://", "http://[x/", "x" * 3):
        assert item.with_changes(author_url=url).author_url is None
    assert item.with_changes(author_url="https://a.example/\x00").author_url == "https://a.example/"
    assert item.with_changes(source="https://a.example/" + "x" * 3000).source is None


def test_a_file_with_control_characters_is_read_without_them() -> None:
    text = GOOD.replace("Ana Souza", "Ana\x1b[31m Souza").replace("deserve", "de\x00serve\r\n")
    item = loads(text)
    assert item.author == "Ana[31m Souza"
    assert "\x00" not in item.body and "\r" not in item.body and "deserve" in item.body


@settings(max_examples=300, deadline=None)
@given(st.text(chars, max_size=300))
def test_unwanted_check_of_ascii_text_agrees_with_the_policy_regex(text):
    # has_unwanted reads ASCII text with bytes.translate, other text with UNWANTED.
    assert has_unwanted(text) == (UNWANTED.search(text) is not None)
    assert has_unwanted(text.encode("ascii", "ignore").decode("ascii")) == (
        UNWANTED.search(text.encode("ascii", "ignore").decode("ascii")) is not None
    )


def _header_the_long_way(header: str) -> dict[str, object] | None:
    """Each header line's value, stripped, by its key (None for a line that is not one)."""
    values: dict[str, object] = dict.fromkeys(model._ATTRS)
    for line in header.split("\n"):
        key, colon, value = line.partition(":")
        attr = model.KEY_TO_ATTR.get(key.lower()) if colon else None
        if attr is None or values[attr] is not None:
            return None
        values[attr] = value.strip()
    return values


# Values with white space of every kind at either end, inside, or alone.
header_values = st.text(st.sampled_from("ab \t\u00a0\u2003\u3000\x0b\x1f:é"), max_size=6)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(model.FIELDS), header_values), max_size=6))
def test_header_read_by_one_match_is_the_header_read_line_by_line(lines):
    header = "\n".join(f"{key}: {value}" for (_, key), value in lines)
    long_way = _header_the_long_way(header)
    if long_way is None:
        return  # refused (a repeated key): the loop names the line
    match = model._CANONICAL_HEADER.fullmatch(header + "\n")
    if match is not None:  # what the match reads is what the loop reads
        assert list(match.groupdict().items()) == list(long_way.items())
    assert list(model._header_values(header, "x").items()) == list(long_way.items())


@pytest.mark.parametrize("value", ["a", "a b", "a ", " a", "a\t", "a\u00a0", "\u3000", "é"])
def test_canonical_header_takes_only_values_without_space_at_their_ends(value):
    header = f"Id: {value}"
    match = model._CANONICAL_HEADER.fullmatch(header + "\n")
    assert (match is not None) == (value == value.strip() != "")
    if match is not None:
        assert match["id"] == value
