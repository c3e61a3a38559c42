"""`python -m hotelbot` runs the CLI."""

import sys

from hotelbot.cli import main

sys.exit(main())
