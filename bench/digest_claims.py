"""What the digest claims about themes and suggestions on real feedback, and automatic checks.

The real digest (`compose`, what `backchannel digest` runs; bench/digest_claims.py)
reads each blog of the labelled data set as `Item`s
plus one `ArticleInfo` per post made from its title (the data set holds no article
text, so "covered" is judged on titles and slugs alone), and each importable real export
through the real importer (`backchannel import`) into a temp site. Only theme
labels and counts are printed or written, never comment text (a suggestion titled
with a reader's question or a post's title is described, not quoted).
The exports in shared/realdata are small (3-33 comments; the 189-post Disqus export of
issue 18 is not there): too few readers for a theme, they show the import and the
digest run clean on real files, not theme quality.

Checks, each counted per label (a theme's phrase, a suggestion's title and themes):
- name: a word of the label is a word (3+ letters, not a stop word) of a commenter's or the
  site author's name, and of no post's title or slug;
- markup: a word of the label is a markup token (MARKUP);
- no questions: a theme with no reader question behind it;
- thin gap: a gap with fewer than 2 readers asking;
- hollow suggestion: a suggestion without an open question or a credited reader;
- duplicate: a theme whose words (plural "s" dropped) are an earlier theme's;
- everyday word alone: a one-word theme among the commonest English words (wordfreq
  Zipf >= 5: "code", "data", "price"): often vague, read the list;
- gap under a post naming it: a gap asked about under a post whose title or slug holds
  one of its words (plural "s" dropped), so "no post covers it" is doubtful.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from backchannel.build.articles import ArticleInfo, load_articles
from backchannel.digest.build import compose
from backchannel.digest.feedback import load_feedback
from backchannel.digest.model import Digest, Suggestion
from backchannel.digest.text import STOP_WORDS
from backchannel.digest.themes import Theme
from backchannel.model import Item, Kind
from backchannel.settings import load as load_settings
from backchannel.store.cache import Cache

ROOT = Path(__file__).resolve().parent.parent
MARKUP = frozenset(
    [
        "href",
        "rel",
        "nofollow",
        "noopener",
        "http",
        "www",
        "class",
        "div",
        "span",
        "nbsp",
        "amp",
        "quot",
    ]
)
CHECKS = (
    "name",
    "markup",
    "no questions",
    "thin gap",
    "hollow suggestion",
    "duplicate",
    "everyday word alone",
    "gap under a post naming it",
)
EVERYDAY_ZIPF = 5.0
# The same checks on the same data with the digest of commit 73bfb3c (before the fixes
# for short plurals, words vague alone and gaps asked under a post naming them); the
# exports' rows were all 0 there too. Run 2026-12-02 09:41 UTC.
BEFORE = {
    "performance-matters": (0, 0, 0, 0, 0, 1, 1, 0),
    "spinning-numbers": (0, 0, 0, 0, 0, 0, 0, 0),
    "stephen-cleary": (0, 0, 0, 0, 0, 0, 0, 2),
    "all three blogs": (0, 0, 0, 0, 0, 0, 1, 0),
}
_WORD = re.compile(r"[^\W\d_]+")
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Real exports the importers take (format, path under the realdata folder).
EXPORTS = (
    ("disqus", "isso/disqus.xml"),
    ("wordpress", "isso/wordpress.xml"),
    ("wordpress", "google-blog-converters/wordpress-sample2.wxr"),
    ("blogger", "google-blog-converters/blogger-sample2.xml"),
    ("wordpress", "wptt-theme-test-data/themeunittestdata.wordpress.xml"),
)
SITE_CONF = """
AUTHOR = {author!r}
SITENAME = "Import check"
SITEURL = ""
PATH = "content"
OUTPUT_PATH = "output"
THEME = {theme!r}
TIMEZONE = "UTC"
PLUGIN_PATHS = [{plugins!r}]
PLUGINS = ["backchannel"]
BACKCHANNEL_RECEIVER_URL = "http://127.0.0.1:8000/backchannel"
"""


def name_words(names: Iterable[str]) -> set[str]:
    """Every word of 3+ letters of the names, lower case, but stop words.

    A reader may sign with words ("Thank you"): "you" in a suggestion names no one.
    """
    return {
        w for n in names for w in _WORD.findall(n.lower()) if len(w) >= 3 and w not in STOP_WORDS
    }


@dataclass
class Claims:
    """One source's digest claims as printed lines, and the checks' failures."""

    name: str
    lines: list[str] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CHECKS})

    def row(self, label: str, flags: list[str], cells: list[object]) -> None:
        """One table row for `label`, its failed checks counted."""
        for flag in flags:
            self.failures[flag].append(label)
        self.lines.append("| " + " | ".join(map(str, [*cells, ", ".join(flags)])) + " |")


_QUOTED_TITLE = re.compile(r"“[^”]*”")


def _label_problems(label: str, names: set[str]) -> list[str]:
    words = set(_WORD.findall(label.lower()))
    found = []
    if words & names:
        found.append("name")
    if words & MARKUP:
        found.append("markup")
    return found


def _gap(theme: Theme) -> str:
    """The digest's claim: "gap" (no post covers it), "covered", or neither (< 2 asking)."""
    if theme.gap:
        return "gap"
    return "covered" if len(theme.askers) >= 2 else "(<2 asking)"


def _shown(s: Suggestion) -> str:
    """A suggestion's title as the results may show it: never a reader's or post's words.

    (The data set's licence is unclear: a title made from a reader's question or naming
    a post is described, not copied; the checks read the real title.)
    """
    if s.title.startswith("What readers ask about "):
        return s.title
    return "(a reader's question as title)" if s.themes else "(questions on one post)"


def _singular(text: str) -> set[str]:
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _WORD.findall(text.lower())}


def _theme_problems(
    theme: Theme, digest: Digest, headings: dict[str, str], seen: list[set[str]]
) -> list[str]:
    from wordfreq import zipf_frequency

    found = []
    words = _singular(theme.phrase)
    if words in seen:
        found.append("duplicate")
    seen.append(words)
    if " " not in theme.phrase and zipf_frequency(theme.phrase, "en") >= EVERYDAY_ZIPF:
        found.append("everyday word alone")
    asked_under = {digest.comment_articles.get(cid, "") for cid in theme.questions}
    if theme.gap and any(words & _singular(headings.get(a, "")) for a in asked_under):
        found.append("gap under a post naming it")
    return found


def check(
    name: str, digest: Digest, names: set[str], headings: dict[str, str], top: int = 10
) -> Claims:
    """The top themes and the suggestions of a digest, with the checks' failures.

    `headings`: each article's title and slug, by article id. A word of a post's
    title is the post's subject, not a name, even when a commenter's name holds it
    (a reader signing "From France" under "Going from X to Y", "Android Dev" under
    "31 Days of Android"): a suggestion quoting that title names no one.
    """
    names = names - {w for text in headings.values() for w in _WORD.findall(text.lower())}
    out = Claims(name)
    seen: list[set[str]] = []
    open_ids = {q.comment_id for q in digest.questions if not q.answered}
    out.lines.append(f"### {name}\n")
    out.lines.append("| # | theme | questions | readers asking | readers | gap? | flags |")
    out.lines.append("|---|---|---|---|---|---|---|")
    for n, theme in enumerate(digest.themes[:top], 1):
        flags = _label_problems(theme.phrase, names)
        if not theme.questions:
            flags.append("no questions")
        if theme.gap and len(theme.askers) < 2:
            flags.append("thin gap")
        flags += _theme_problems(theme, digest, headings, seen)
        cells = [n, theme.phrase, len(theme.questions), len(theme.askers), len(theme.readers)]
        out.row(theme.phrase, flags, [*cells, _gap(theme)])
    if not digest.themes:
        out.lines.append("| — | (no themes) | | | | | |")
    out.lines.append("")
    out.lines.append("| # | suggestion | open questions | readers credited | themes | flags |")
    out.lines.append("|---|---|---|---|---|---|")
    for n, s in enumerate(digest.suggestions, 1):
        flags = []
        # A title quoting a post's title (“…”) quotes the author, not readers' text.
        for label in [_QUOTED_TITLE.sub("", s.title), *s.themes]:
            flags += [f for f in _label_problems(label, names) if f not in flags]
        n_open = sum(1 for cid in s.questions if cid in open_ids)
        if not n_open or not s.readers:
            flags.append("hollow suggestion")
        out.row(s.title, flags, [n, _shown(s), n_open, len(s.readers), ", ".join(s.themes)])
    if not digest.suggestions:
        out.lines.append("| — | (no suggestions) | | | | |")
    out.lines.append("")
    return out


def blog_digest(
    items: Sequence[Item], comments: Sequence[dict]
) -> tuple[Digest, set[str], dict[str, str]]:
    """The digest of a blog's items against its posts' titles, the names on it, headings."""
    titles = {f"{c['blog']}--{c['article']}"[:200]: c["article_title"] for c in comments}
    owners = {c["blog"]: c["author"] for c in comments if c["owner"]}
    articles = [
        ArticleInfo(
            id=slug,
            slug=slug,
            title=title,
            url=f"{slug}.html",
            date=EPOCH,
            status="published",
            source_path=f"{slug}.md",
            html="",
            # The post's own slug ("intel-zero-opt") names its subject as its title may not.
            summary=slug.split("--", 1)[1].replace("-", " "),
            metadata={"author": owners.get(slug.split("--")[0], "")},
        )
        for slug, title in titles.items()
    ]
    until = max(i.date for i in items).replace(microsecond=0)
    until = until.replace(year=until.year + 1)
    digest = compose(items, articles, None, until, now=until)
    names = name_words([i.author for i in items] + list(owners.values()))
    return digest, names, {a.id: f"{a.title} {a.summary}" for a in articles}


def import_digest(
    fmt: str, export: Path, workdir: Path
) -> tuple[Digest | None, set[str], dict[str, str], str]:
    """The digest of a real export imported by `backchannel import` into an empty temp site."""
    author = "Import Check"
    site = workdir / re.sub(r"\W+", "-", export.name)
    (site / "content").mkdir(parents=True)
    (site / "feedback").mkdir()
    conf = site / "pelicanconf.py"
    conf.write_text(
        SITE_CONF.format(author=author, theme=str(ROOT / "theme"), plugins=str(ROOT / "plugins")),
        "utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "backchannel.cli", "-s", str(conf), "import", fmt]
        return subprocess.run(
            [*command, str(export), *args],
            cwd=site,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    # As an author migrating would: the posts the export names first (title only), then
    # the comments, so they are published on them instead of held as unmatched.
    dry = run("--dry-run", "--json")
    if dry.returncode == 0:
        posts = {u["article"]: u["title"] for u in json.loads(dry.stdout)["unmatched"]}
        for n, (slug, title) in enumerate(posts.items()):
            (site / "content" / f"a{n}.md").write_text(
                f"Title: {title or slug}\nDate: 2000-01-01 10:00\nSlug: {slug}\n\nA post.\n",
                "utf-8",
            )
    proc = run()
    note = (proc.stdout.strip().splitlines() or [proc.stderr.strip()[-200:]])[0]
    if proc.returncode != 0:
        return None, set(), {}, f"import failed ({proc.returncode}): {note}"
    settings = load_settings(conf)
    with Cache(None) as cache:
        items, _analyses, _ = load_feedback(settings.feedback_path, cache)
    articles = load_articles(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    digest = compose(items, articles, None, now, now=now)
    names = [i.author for i in items if i.kind == Kind.COMMENT] + [author]
    headings = {a.id: f"{a.title} {a.slug.replace('-', ' ')}" for a in articles}
    return digest, name_words(names), headings, note


def exports(realdata: Path) -> list[Claims]:
    """Claims and checks of every real export found under `realdata`."""
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-digest-claims-") as tmp:
        for fmt, rel in EXPORTS:
            path = realdata / rel
            if not path.exists():
                continue
            digest, names, headings, note = import_digest(fmt, path, Path(tmp))
            if digest is None:
                claims = Claims(f"{rel} ({fmt})")
                claims.lines.append(f"### {rel} ({fmt})\n\n{note}\n")
            else:
                claims = check(f"{rel} ({fmt} import)", digest, names, headings)
                comments = digest.totals["comments"]
                claims.lines.insert(1, f"{note}; {comments} comments in the digest.\n")
            out.append(claims)
    return out


def totals(claims: Sequence[Claims]) -> str:
    """One table row per source: how many labels fail each check."""
    counts = {c.name: [len(c.failures[k]) for k in CHECKS] for c in claims}
    return table(counts)


def table(counts: dict[str, Sequence[int]]) -> str:
    """Counts of failing labels per source and check, as a Markdown table."""
    rows = ["| source | " + " | ".join(CHECKS) + " |", "|---|" + "---|" * len(CHECKS)]
    rows += [f"| {name} | " + " | ".join(map(str, row)) + " |" for name, row in counts.items()]
    return "\n".join(rows)
