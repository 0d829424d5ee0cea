"""Let a `backchannel` command use Pelican's modules without Pelican's package `__init__`.

`import pelican.settings` first runs pelican/__init__.py, which imports every
generator and reader, docutils, the dev server and more: about 0.2 s, which
was 40 % of `backchannel approve` on a 1,000-article site (issue 5 asks for
approve → page in well under a second, and ≥ 20× a full build). The commands
need only a few of Pelican's modules (settings, utils, readers, contents,
plugins._utils), and those import their own dependencies.

So the command-line entry point, and only it, registers a bare package object
for `pelican` before anything imports Pelican: same search path (extended the
way __init__ extends it, for namespace plugins) and same `__version__`, so
`import pelican.settings` runs only the modules it needs. A process that has
already imported Pelican (a build, the tests) is left alone.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pkgutil import extend_path


def use_without_init() -> None:
    """Make later `import pelican.X` skip pelican/__init__.py (no-op if Pelican is loaded)."""
    if "pelican" in sys.modules:
        return
    spec = importlib.util.find_spec("pelican")
    if spec is None or spec.submodule_search_locations is None:
        return  # not installed: the import that needs it will say so
    package = types.ModuleType("pelican", "Pelican's package, without its __init__ (backchannel)")
    package.__file__ = spec.origin
    package.__path__ = extend_path(list(spec.submodule_search_locations), "pelican")
    package.__spec__ = spec
    package.__package__ = "pelican"
    package.__getattr__ = _attribute  # type: ignore[attr-defined]
    sys.modules["pelican"] = package


def _attribute(name: str) -> object:
    """The two names of __init__ that our modules use, made when first asked for."""
    if name == "signals":  # `from pelican import signals`, as plugins write it
        import pelican.plugins.signals

        return pelican.plugins.signals
    if name == "__version__":  # looked up lazily: importlib.metadata costs ~30 ms
        import importlib.metadata

        try:
            return importlib.metadata.version("pelican")
        except importlib.metadata.PackageNotFoundError:
            return "unknown"
    raise AttributeError(f"module 'pelican' (without its __init__) has no attribute {name!r}")
