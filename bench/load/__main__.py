"""`python -m bench.load`: the load run (bench/load/run.py says what it does and how to size it)."""

import sys

from bench.load.run import main

try:
    sys.exit(main())
except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the app processes were killed on the way out
    print("load run stopped; every app process it started is killed", file=sys.stderr)
    sys.exit(130)
