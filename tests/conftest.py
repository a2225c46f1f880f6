"""Hypothesis profiles for the whole suite.

"ci" (the default): derandomized, so every run of the suite draws the same examples
and CI is reproducible. "explore": fresh random examples on every run, for hunting
bugs by hand: `HYPOTHESIS_PROFILE=explore .venv/bin/python -m pytest tests`
(tests that fix their own settings, like tests/test_properties.py, keep them).
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", derandomize=False, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
