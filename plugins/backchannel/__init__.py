"""Backchannel: comments and linkbacks for a Pelican site, and the digest they feed."""


def register() -> None:
    """Pelican's entry point; imported lazily so the CLI and receiver stay light.

    The build bakes the comments; the digest (a later stage of the data flow) only
    copies its newest page into the output when asked, so it is connected here
    rather than from the build.
    """
    from pelican import signals

    from backchannel.build.bake import register as register_build
    from backchannel.digest.publish import on_finalized as copy_digest

    register_build()
    signals.finalized.connect(copy_digest)
