"""The CLI's Pelican import without Pelican's package __init__ (backchannel.pelican_package).

Each check runs in a fresh interpreter: the point is what a new `backchannel`
process imports, and this test process has imported Pelican already.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import pelican_env


def run_fresh(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=pelican_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_and_readers_load_without_generators() -> None:
    proc = run_fresh(
        """
        import importlib.metadata, sys
        from backchannel.pelican_package import use_without_init
        use_without_init()
        from pelican.settings import DEFAULT_CONFIG, read_settings
        assert "pelican.generators" not in sys.modules, "pelican/__init__.py ran"
        assert "docutils" not in sys.modules
        import pelican
        assert pelican.__version__ == importlib.metadata.version("pelican")
        from pelican import signals
        assert signals.article_generator_finalized is not None
        from pelican.readers import Readers  # what `digest` and `draft` use
        print("ok", DEFAULT_CONFIG["OUTPUT_PATH"])
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok output"


def test_unknown_attribute_is_a_clear_attribute_error() -> None:
    proc = run_fresh(
        """
        from backchannel.pelican_package import use_without_init
        use_without_init()
        import pelican
        try:
            pelican.Pelican
        except AttributeError as exc:
            print(exc)
        """
    )
    assert "without its __init__" in proc.stdout, proc.stderr


def test_a_process_that_imported_pelican_is_left_alone() -> None:
    proc = run_fresh(
        """
        import pelican
        from backchannel.pelican_package import use_without_init
        use_without_init()
        import sys
        assert sys.modules["pelican"] is pelican and hasattr(pelican, "Pelican")
        print("ok")
        """
    )
    assert proc.stdout.strip() == "ok", proc.stderr
