"""`python -m bench.load`: the load run (bench/load/run.py says what it does and how to size it)."""

import sys

from bench.load.run import main

sys.exit(main())
