"""Allow ``python -m bpscare`` (the same as the ``bpscare`` command)."""

import sys

from bpscare.cli import main

sys.exit(main())
