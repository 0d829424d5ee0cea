"""Shared fixtures: a real site in a temp dir, built by the real Pelican."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "plugins"
DATA = Path(__file__).resolve().parent / "data"
# Permissively licensed real exports, copied into the repository (tests/data/README.md).
REALDATA = DATA / "realdata"
# Import this checkout's package, whatever an editable install points at.
sys.path.insert(0, str(PLUGINS))

SITE_CONF = """
AUTHOR = "Mara Lindqvist"
SITENAME = "Test Site"
SITEURL = ""
PATH = "content"
OUTPUT_PATH = "output"
THEME = {theme!r}
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PLUGIN_PATHS = [{plugins!r}]
PLUGINS = ["backchannel"]
DEFAULT_PAGINATION = 10
FEED_ALL_ATOM = "feeds/all.atom.xml"
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
BACKCHANNEL_RECEIVER_URL = "http://127.0.0.1:8000/backchannel"
"""

ARTICLE = """Title: {title}
Date: {date}
Category: Practice
Tags: listening, craft
Slug: {slug}
Summary: A test article called {title}.
{extra}
{body}
"""


def pelican_env() -> dict[str, str]:
    """Environment in which a subprocess imports this checkout's package."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PLUGINS) + os.pathsep + env.get("PYTHONPATH", "")
    env["COLUMNS"] = "500"  # Pelican logs through rich: no wrapping inside paths
    return env


class Site:
    """A small Pelican site in a temp dir, with its own feedback store."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        self.output = root / "output"
        self.feedback = root / "feedback"
        self.conf = root / "pelicanconf.py"
        self.content.mkdir(parents=True, exist_ok=True)
        self.feedback.mkdir(exist_ok=True)
        self.write_conf()

    def write_conf(self, extra: str = "") -> None:
        """(Re)write pelicanconf.py with extra lines appended."""
        text = SITE_CONF.format(theme=str(ROOT / "theme"), plugins=str(PLUGINS))
        self.conf.write_text(text + textwrap.dedent(extra), "utf-8")

    def article(
        self,
        slug: str,
        title: str | None = None,
        date: str = "2026-09-01 10:00",
        body: str = "Some words about listening to readers.",
        extra: str = "",
    ) -> Path:
        """Write an article Markdown file."""
        path = self.content / f"{slug}.md"
        path.write_text(
            ARTICLE.format(
                title=title or slug.replace("-", " ").title(),
                date=date,
                slug=slug,
                extra=extra,
                body=body,
            ),
            "utf-8",
        )
        return path

    def item(self, state: str, article: str, item_id: str, text: str) -> Path:
        """Write a raw item file into the store."""
        folder = self.feedback / state / article if state == "published" else self.feedback / state
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{item_id}.md"
        path.write_text(text, "utf-8")
        return path

    def build(self, *extra_args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the real Pelican on this site."""
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pelican",
                str(self.content),
                "-o",
                str(self.output),
                "-s",
                str(self.conf),
                *extra_args,
            ],
            cwd=self.root,
            env=pelican_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"pelican failed:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def cli(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the `backchannel` CLI against this site."""
        return subprocess.run(
            [sys.executable, "-m", "backchannel.cli", "-s", str(self.conf), *args],
            cwd=self.root,
            env={**pelican_env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            input=input,
        )

    def page(self, slug: str) -> str:
        """The built HTML of an article."""
        return (self.output / f"{slug}.html").read_text("utf-8")


@pytest.fixture
def wptt() -> Path:
    """A WXR 1.2 export shaped like WordPress's Theme Unit Test data (written for these tests:
    that export itself is GPL-licensed, so it is not in the repository)."""
    return DATA / "wxr-1.2-theme-test.xml"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty site with the real theme and plugin."""
    return Site(tmp_path / "site")


@pytest.fixture(scope="session")
def committed_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site's content/ and feedback/ as committed (HEAD), never as the working
    tree holds them after a user's own `make serve`, comments or digests."""
    root = tmp_path_factory.mktemp("committed-sample")
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD", "content", "feedback"],
            capture_output=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"the sample site is read from git (HEAD) and this is no git checkout: {exc}")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(root, filter="data")
    (root / "feedback").mkdir(exist_ok=True)
    return root


def copy_sample(committed: Path, root: Path) -> Site:
    """A writable copy of the committed sample site at `root`."""
    shutil.copytree(committed / "content", root / "content")
    shutil.copytree(committed / "feedback", root / "feedback")
    return Site(root)


@pytest.fixture
def sample_site(tmp_path: Path, committed_sample: Path) -> Site:
    """A copy of the project's own sample site (content and feedback, as committed)."""
    return copy_sample(committed_sample, tmp_path / "sample")


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
def chromium() -> str:
    """Path to headless Chromium: skip loudly locally, fail under CI."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required under CI (.ci/run installs Debian's chromium)")
        pytest.skip("SKIPPED LOUDLY: Chromium not installed; `apt-get install chromium` to run")
    return path


MakeSite = Callable[..., Site]
