"""Backchannel: comments and linkbacks for a Pelican site, and the digest they feed."""


def register() -> None:
    """Pelican's entry point; imported lazily so the CLI and receiver stay light."""
    from backchannel.bake import register as _register

    _register()
