"""`backchannel import FORMAT SOURCE` and `backchannel collect`."""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from backchannel.cli.output import unfiltered
from backchannel.cli.store_commands import store_of
from backchannel.importers import FORMATS
from backchannel.importers.records import ImportSourceError
from backchannel.importers.run import Summary, run_import
from backchannel.settings import Resolved


def author_names(settings: Resolved, more: list[str] | None = None) -> frozenset[str]:
    """The names the site author signs comments with, as `name_key` folds them."""
    from backchannel.importers.run import name_key

    names = {settings.site_author, settings.author, *(more or [])}
    return frozenset(name_key(n) for n in names if n and n.strip())


def article_index(settings: Resolved) -> Any:
    """The local articles, for mapping imported items."""
    from backchannel.build.articles import load_articles
    from backchannel.importers.matching import ArticleIndex

    return ArticleIndex(load_articles(settings), settings["ALIASES"], settings.site_url)


@contextlib.contextmanager
def progress_bar(enabled: bool) -> Iterator[Any]:
    """A rich progress display on stderr, or None when off (not a TTY, or --json)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=unfiltered(sys.stderr)),  # rich's own escapes only
        transient=True,
    ) as bar:
        yield bar


def print_summary(summary: Summary, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    """The summary: JSON for scripts, a few lines for people."""
    if as_json:
        print(json.dumps({**summary.as_json(), **(extra or {})}, ensure_ascii=False, indent=2))
        return
    verb = "would import" if summary.dry_run else "imported"
    states = ", ".join(f"{n} {s}" for s, n in sorted(summary.by_state.items()))
    print(
        f"backchannel: {verb} {summary.imported}"
        + (f" ({states})" if states else "")
        + f"; {summary.duplicates} already present; {len(summary.skipped)} skipped"
    )
    for entry in summary.skipped[:20]:
        print(f"  skipped {entry['id']} ({entry.get('origin_id', '')}): {entry['reason']}")
    if len(summary.skipped) > 20:
        print(f"  … and {len(summary.skipped) - 20} more (see --json)")
    for entry in summary.warnings[:20]:
        print(f"  note {entry['id']}: {entry['reason']}")
    if summary.unmatched:
        print(
            f"  {len(summary.unmatched)} item(s) match no local article; they wait in "
            "unmatched/ (or inbox/spam) and attach once the article or an alias exists:"
        )
        shown = {(u["article"], u["origin_url"]) for u in summary.unmatched}
        for article, url in sorted(shown, key=str)[:10]:
            print(f"    {article}  {url or ''}")


def cmd_import(args: argparse.Namespace, settings: Resolved) -> int:
    """Import a file (or URL) of one format into the store."""
    module = importlib.import_module(FORMATS[args.format])
    source = args.source
    if source.startswith(("http://", "https://")):
        if not hasattr(module, "parse"):
            raise ImportSourceError(f"the {args.format} importer reads files, not URLs", source)
        from backchannel.outbound.fetch import Fetcher

        response = Fetcher(settings).get(source)
        if response.status != 200:
            raise ImportSourceError(f"HTTP {response.status}", source)
        records = functools.partial(module.parse, response.content, source)
    else:
        records = functools.partial(module.read, source)

    store = store_of(settings)
    with progress_bar(not args.json) as bar:
        summary = run_import(
            records,
            store,
            article_index(settings),
            args.dry_run,
            bar,
            args.restore_deleted,
            author_names=author_names(settings, args.author_name),
        )
    print_summary(summary, args.json)
    return 0


def cmd_collect(args: argparse.Namespace, settings: Resolved) -> int:
    """Pull every feed in BACKCHANNEL_FEEDS (conditional GET) and import what is new."""
    from backchannel.importers.collect import collect

    store = store_of(settings)
    with progress_bar(not args.json) as bar:
        summary, feeds = collect(
            settings, store, article_index(settings), args.dry_run, bar, author_names(settings)
        )
    print_summary(summary, args.json, {"feeds": feeds})
    if not args.json:
        for feed in feeds:
            print(
                f"  {feed['feed']}: {feed['status']}"
                + (f" ({feed['error']})" if feed.get("error") else "")
            )
    return 1 if any(f["status"] == "error" for f in feeds) else 0


def add_commands(subparsers: Any) -> None:
    """Add `import` and `collect`."""
    p = subparsers.add_parser("import", help="import comments and linkbacks from another system")
    p.add_argument("format", choices=sorted(FORMATS), help="the source's format")
    p.add_argument(
        "source", help="file, folder (pelican-comment-system), database (isso) or URL (feed, html)"
    )
    p.add_argument("--dry-run", action="store_true", help="report what would be imported")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--restore-deleted",
        action="store_true",
        help="import items deleted here too (never those a forget request erased)",
    )
    p.add_argument(
        "--author-name",
        action="append",
        default=[],
        metavar="NAME",
        help="a name you signed your own comments with in the source (besides AUTHOR and "
        "BACKCHANNEL_SITE_AUTHOR): those comments become your replies; repeatable",
    )
    p.set_defaults(func=cmd_import)
    p = subparsers.add_parser("collect", help="pull the feeds in BACKCHANNEL_FEEDS")
    p.add_argument("--dry-run", action="store_true", help="report what would be imported")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_collect)
