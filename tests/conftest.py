"""Settings for the whole suite."""

from __future__ import annotations

import os

# PTB 22 warns (PTBDeprecationWarning) when it builds RetryAfter from whole seconds;
# with warnings as errors that turns every 429 into a failure. Opt in to timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
