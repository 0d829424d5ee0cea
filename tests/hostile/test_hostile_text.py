"""A stranger's comment text cannot stall the digest's analysis.

Each body below is built to make a regular expression of the question finder try
every split of a long run (marks, lead-in words, dots after a URL): before the
patterns read such runs once, one such comment of 20,000 characters kept the
analysis busy for minutes. The analysis runs in a child process with a time bound,
so a regression fails here instead of hanging the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys

from backchannel.digest.text import MAX_CHARS
from conftest import pelican_env

N = MAX_CHARS - 100
HOSTILE = {
    "marks": "!?" * (N // 2),
    "lead-ins": "Hi " * (N // 3),
    "dots": "see " + "." * N,
    "dots after a URL": "see http://" + "." * N,
    "glued marks": "?." * (N // 2) + "please help",
    "question marks": "x" + "?" * N,
    "ellipses": "…" * N,
    "greetings": "a, " * (N // 3) + "how are you?",
    "if you": "if you " * (N // 7) + "that'd be great",
    "fences": "<p>" + "```<br>" * (N // 7) + "</p>",
}
ANALYSE_ALL = (
    "import json, sys\n"
    "from backchannel.digest.analysis import analyse\n"
    "for body in json.load(sys.stdin):\n"
    "    analyse(body)\n"
)


def test_pathological_comment_text_is_analysed_in_bounded_time() -> None:
    # About a second of work today; minutes for any one of them before.
    done = subprocess.run(
        [sys.executable, "-c", ANALYSE_ALL],
        input=json.dumps(list(HOSTILE.values())),
        text=True,
        capture_output=True,
        env=pelican_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
