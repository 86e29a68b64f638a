"""``python -m zoom_emulator``: see :mod:`zoom_emulator.cli`."""

import sys

from zoom_emulator.cli import main

sys.exit(main())
