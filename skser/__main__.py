"""``python -m skser`` runs the command line, like the ``skser`` script."""

import sys

from .cli import main

sys.exit(main())
