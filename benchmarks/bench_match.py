"""Matching benchmark entry point for `benchmarks/run`: quality and speed of `ostkit match`.

Same as `python benchmarks/match_quality.py` (see there); accepts the same options, e.g. --smoke.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from match_quality import main

if __name__ == "__main__":
    sys.exit(main())
