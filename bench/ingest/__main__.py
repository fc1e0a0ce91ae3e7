"""`python -m bench.ingest`."""

import sys

from bench.ingest.cli import main

sys.exit(main())
