"""`python -m backchannel.cli`."""

import sys

from backchannel.cli import main

sys.exit(main())
