"""What the digest claims about themes and suggestions on real feedback, and automatic checks.

Used by bench_digest_quality.py (its second section). The real digest (`compose`,
what `backchannel digest` runs) reads each blog of the labelled data set as `Item`s
plus one `ArticleInfo` per post made from its title (the data set holds no article
text, so "covered" is judged on titles and slugs alone), and each importable real export
through the real importer (`backchannel import`) into a temp site. Only theme
labels, titles the digest made and counts are printed or written, never comment text.

Checks, each counted per label (a theme's phrase, a suggestion's title and themes):
- name: a word of the label is a word (3+ letters) of a commenter's or the site author's name;
- markup: a word of the label is a markup token (MARKUP);
- no questions: a theme with no reader question behind it;
- thin gap: a gap with fewer than 2 readers asking;
- hollow suggestion: a suggestion without an open question or a credited reader.
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
from backchannel.digest.model import Digest
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
CHECKS = ("name", "markup", "no questions", "thin gap", "hollow suggestion")
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
    """Every word of 3+ letters of the names, lower case."""
    return {w for n in names for w in _WORD.findall(n.lower()) if len(w) >= 3}


@dataclass
class Claims:
    """One source's digest claims as printed lines, and the checks' failures."""

    name: str
    lines: list[str] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CHECKS})


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


def check(name: str, digest: Digest, names: set[str], top: int = 10) -> Claims:
    """The top themes and the suggestions of a digest, with the checks' failures."""
    out = Claims(name)
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
        for flag in flags:
            out.failures[flag].append(theme.phrase)
        out.lines.append(
            f"| {n} | {theme.phrase} | {len(theme.questions)} | {len(theme.askers)} "
            f"| {len(theme.readers)} | {_gap(theme)} | {', '.join(flags)} |"
        )
    if not digest.themes:
        out.lines.append("| — | (no themes) | | | | | |")
    out.lines.append("")
    out.lines.append("| # | suggestion | open questions | readers credited | themes | flags |")
    out.lines.append("|---|---|---|---|---|---|")
    for n, s in enumerate(digest.suggestions, 1):
        flags = []
        for label in [s.title, *s.themes]:
            flags += [f for f in _label_problems(label, names) if f not in flags]
        n_open = sum(1 for cid in s.questions if cid in open_ids)
        if not n_open or not s.readers:
            flags.append("hollow suggestion")
        for flag in flags:
            out.failures[flag].append(s.title)
        out.lines.append(
            f"| {n} | {s.title} | {n_open} | {len(s.readers)} | {', '.join(s.themes)} "
            f"| {', '.join(flags)} |"
        )
    if not digest.suggestions:
        out.lines.append("| — | (no suggestions) | | | | |")
    out.lines.append("")
    return out


def blog_digest(items: Sequence[Item], comments: Sequence[dict]) -> tuple[Digest, set[str]]:
    """The digest of a blog's items against its posts' titles, and the names on it."""
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
    return digest, name_words([i.author for i in items] + list(owners.values()))


def import_digest(fmt: str, export: Path, workdir: Path) -> tuple[Digest | None, set[str], str]:
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
        return None, set(), f"import failed ({proc.returncode}): {note}"
    settings = load_settings(conf)
    with Cache(None) as cache:
        items, _analyses, _ = load_feedback(settings.feedback_path, cache)
    articles = load_articles(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    digest = compose(items, articles, None, now, now=now)
    names = [i.author for i in items if i.kind == Kind.COMMENT] + [author]
    return digest, name_words(names), note


def exports(realdata: Path) -> list[Claims]:
    """Claims and checks of every real export found under `realdata`."""
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-digest-claims-") as tmp:
        for fmt, rel in EXPORTS:
            path = realdata / rel
            if not path.exists():
                continue
            digest, names, note = import_digest(fmt, path, Path(tmp))
            if digest is None:
                claims = Claims(f"{rel} ({fmt})")
                claims.lines.append(f"### {rel} ({fmt})\n\n{note}\n")
            else:
                claims = check(f"{rel} ({fmt} import)", digest, names)
                comments = digest.totals["comments"]
                claims.lines.insert(1, f"{note}; {comments} comments in the digest.\n")
            out.append(claims)
    return out


def totals(claims: Sequence[Claims]) -> str:
    """One table row per source: how many labels fail each check."""
    rows = ["| source | " + " | ".join(CHECKS) + " |", "|---|" + "---|" * len(CHECKS)]
    for c in claims:
        rows.append(f"| {c.name} | " + " | ".join(str(len(c.failures[k])) for k in CHECKS) + " |")
    return "\n".join(rows)
