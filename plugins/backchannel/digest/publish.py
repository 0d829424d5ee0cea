"""Copy the newest HTML digest into the built site, only when BACKCHANNEL_PUBLISH_DIGEST is set."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from backchannel.digest.files import digest_files, publish_copy

logger = logging.getLogger(__name__)


def on_finalized(pelican: Any) -> None:
    """Pelican `finalized`: output/digest/index.html is the newest digest, if publishing."""
    from backchannel.build.bake import resolved_settings

    settings = resolved_settings(pelican.settings)
    if not settings["PUBLISH_DIGEST"]:
        return
    files = digest_files(settings.feedback_path / "digests")
    if not files:
        logger.warning(
            "backchannel: BACKCHANNEL_PUBLISH_DIGEST is set but there is no digest "
            "yet; run `backchannel digest`"
        )
        return
    copied = publish_copy(files[-1].parent, Path(pelican.output_path), files[-1].stem)
    logger.info("backchannel: digest copied to %s", copied)
