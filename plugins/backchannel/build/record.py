"""Which settings built an output folder, so that every later command uses the same ones.

`make publish` builds output/ from publishconf.py, and `make serve PORT=N` adds
`-e BACKCHANNEL_RECEIVER_URL=...` on Pelican's command line: settings that the
CLI, run later with its own `-s`, cannot know. An `approve` republishing with
other settings would put another receiver URL in the forms. So each `pelican`
build records its settings file and command-line overrides, and the CLI and
`backchannel serve` use them for the output folder they work on.

The record lives in the store's private area (git-ignored, never published): an
override may hold a secret.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backchannel.settings import Resolved, load
from backchannel.store import PRIVATE, Store, open_store

logger = logging.getLogger(__name__)

# Overrides that only say where the build read and wrote, as positional
# arguments and -o: the record keeps them, but they alone change no setting.
WHERE = frozenset({"PATH", "OUTPUT_PATH"})


@dataclass(frozen=True)
class BuildRecord:
    """The settings file and the overrides (`pelican -e`, -o, -t …) of one build."""

    settings_file: str | None
    overrides: dict[str, Any] = field(default_factory=dict)

    def pelican_arguments(self) -> list[str]:
        """The arguments that give `pelican CONTENT -o OUTPUT` these settings again."""
        args = ["-s", self.settings_file] if self.settings_file else []
        for key, value in sorted(self.overrides.items()):
            if key not in WHERE:
                args += ["-e", f"{key}={json.dumps(value)}"]
        return args


def _name(output: Path) -> str:
    digest = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
    return f"build-{digest}.json"


def of_this_process() -> BuildRecord | None:
    """The settings of this build, when this process is the `pelican` command; else None."""
    program = Path(sys.argv[0])
    if program.name != "pelican" and program.parts[-2:] != ("pelican", "__main__.py"):
        return None  # Pelican run from Python: its settings are not on a command line
    from pelican import DEFAULT_CONFIG_NAME, get_config, parse_arguments

    try:
        args = parse_arguments(sys.argv[1:])
    except SystemExit:
        return None
    settings_file = args.settings
    if settings_file is None and Path(DEFAULT_CONFIG_NAME).is_file():
        settings_file = DEFAULT_CONFIG_NAME
    overrides = {k: v for k, v in get_config(args).items() if k != "DEBUG"}
    return BuildRecord(str(Path(settings_file).resolve()) if settings_file else None, overrides)


def write(store: Store, output: Path, record: BuildRecord | None) -> None:
    """Record how `output` was built; None (unknown) removes an older record."""
    name = _name(output)
    if record is None:
        (store.root / PRIVATE / name).unlink(missing_ok=True)
        return
    data = {"output": str(output.resolve()), **record.__dict__}
    encoded = json.dumps(data, sort_keys=True, indent=1).encode()
    try:
        if (store.root / PRIVATE / name).read_bytes() == encoded:
            # Most builds repeat the last one's settings: a durable rewrite of the
            # same bytes would make every build wait for the disk for nothing.
            return
    except OSError:
        pass
    store.write_private_file(name, encoded)


def read(store: Store, output: Path) -> BuildRecord | None:
    """How `output` was last built, or None when no build recorded it."""
    path = store.root / PRIVATE / _name(output)
    try:
        data = json.loads(path.read_text("utf-8"))
        return BuildRecord(data["settings_file"], dict(data["overrides"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("backchannel: ignoring %s: %s", path, exc)
        return None


def settings_of_output(settings: Resolved) -> Resolved:
    """`settings`, or the settings that built its output folder where those differ.

    Every command (approve, reply, serve, digest …) then agrees with the pages:
    the same receiver URL, SITEURL and theme. Which file was used is said on stderr.
    """
    record = read(open_store(settings, cache=False), settings.output_path)
    if record is None or record.settings_file is None:
        return settings
    if not Path(record.settings_file).is_file():
        print(  # noqa: T201  a warning for the commands' user on stderr: part of the CLI's output
            f"backchannel: warning: {settings.output_path} was built with "
            f"{record.settings_file}, which is gone; using {settings.settings_file}",
            file=sys.stderr,
        )
        return settings
    same_file = settings.settings_file is not None and record.settings_file == str(
        settings.settings_file
    )
    if same_file and all(settings.pelican.get(k) == v for k, v in record.overrides.items()):
        return settings
    changed = sorted(k for k in record.overrides if k not in WHERE)
    print(  # noqa: T201  which settings the command uses, said on stderr: part of the CLI's output
        f"backchannel: {settings.output_path} was built with {record.settings_file}"
        + (f" and -e {', '.join(changed)}" if changed else "")
        + "; using the same settings",
        file=sys.stderr,
    )
    return load(record.settings_file, record.overrides)
