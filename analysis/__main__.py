"""`python -m analysis` is the `discourse-lab` command."""

import sys

from analysis.run.cli import main

sys.exit(main())
