"""Header injection in notification e-mails, as properties over any text a stranger can write.

tests/test_notify.py proves it end to end for names; here hypothesis throws
every line-break-like character (CR, LF, VT, FF, NEL, U+2028/9, the ASCII
separators), encoded-word tricks and long lines at the subject and body,
serializes the message as SMTP would send it, parses it back and checks that
the header set is exactly the one we wrote.
"""

from __future__ import annotations

from email import message_from_bytes
from email import policy as email_policy

import pytest
from backchannel.errors import BackchannelError
from backchannel.moderation.mail import build_message, display_address
from backchannel.settings import Resolved, load
from conftest import Site
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

BREAKS = ["\r", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
TRICKS = ["Bcc: victim@example.net", "=?utf-8?q?=0D=0ABcc:_x@y.z?=", "Content-Type: text/html", ":"]
hostile_text = st.lists(
    st.one_of(st.sampled_from(BREAKS + TRICKS), st.text(max_size=40)), max_size=12
).map("".join)
EXPECTED = {
    "from",
    "to",
    "subject",
    "message-id",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
}


@pytest.fixture(scope="module")
def mail_settings(tmp_path_factory: pytest.TempPathFactory) -> Resolved:
    site = Site(tmp_path_factory.mktemp("mail") / "site")
    site.write_conf('BACKCHANNEL_MAIL_FROM = "Mara <mara@example.org>"\n')
    return load(site.conf)


def parsed(msg: object) -> object:
    """The message as the SMTP server receives it."""
    return message_from_bytes(msg.as_bytes(policy=email_policy.SMTP), policy=email_policy.default)  # type: ignore[attr-defined]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=hostile_text, subject=hostile_text, body=hostile_text)
# What hypothesis found here first (Python 3.11's email package decodes encoded words
# in the values it is given, and folds a decoded name's ':' and ',' out bare):
@example(name="", subject="=?utf-8?q?=0D=0ABcc:_x@y.z?=", body="")
@example(name="=?utf-8?q?=0D=0ABcc:_x@y.z?=", subject="", body="")
@example(name="\x80Bcc: victim@example.net", subject="", body="")
@example(name="Zoë: v@x.y, w@z.q", subject="", body="")
@example(
    name="Bcc: v@x.y=?utf-8?q?=0D=0ABcc:_x@y.z?==?utf-8?q?=0D=0ABcc:_x@y.z?=", subject="", body=""
)
def test_no_text_can_add_a_header(
    mail_settings: Resolved, name: str, subject: str, body: str
) -> None:
    to = display_address(name, "reader@example.org")
    msg = build_message(mail_settings, to, f"{name} replied: {subject}", body)
    back = parsed(msg)
    assert {k.lower() for k in back} == EXPECTED  # type: ignore[attr-defined]
    assert back["To"].addresses[0].addr_spec == "reader@example.org"  # type: ignore[index]
    assert len(back.get_all("Subject")) == 1  # type: ignore[attr-defined]
    assert not any(b in str(back["Subject"]) for b in ("\r", "\n"))  # type: ignore[index]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=st.text(max_size=10), brk=st.sampled_from(["\r", "\n", "\r\n"]), after=hostile_text)
def test_line_break_in_an_address_header_is_refused(
    mail_settings: Resolved, before: str, brk: str, after: str
) -> None:
    with pytest.raises(BackchannelError, match="line break in the To header"):
        build_message(mail_settings, f"a@example.org{before}{brk}Bcc: {after}", "s", "b")
    with pytest.raises(BackchannelError, match="List-Unsubscribe"):
        build_message(
            mail_settings, "a@example.org", "s", "b", f"https://x.example/u{brk}Bcc: v@x.y"
        )
