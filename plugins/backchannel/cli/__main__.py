"""`python -m backchannel.cli`."""

from backchannel.cli import run

run()
