"""``python -m capture.cli`` — how ``serve`` and ``worker --processes N`` start their children."""

import sys

from capture.cli import main

sys.exit(main())
