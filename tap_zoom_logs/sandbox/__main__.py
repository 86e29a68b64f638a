"""``python -m tap_zoom_logs.sandbox``: see :mod:`tap_zoom_logs.sandbox.cli`."""

import sys

from tap_zoom_logs.sandbox.cli import main

sys.exit(main())
