"""``python -m sim.cli``: the ``escalation`` command."""

import sys

from sim.cli.main import main

sys.exit(main())
