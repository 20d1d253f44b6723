"""Helpers the test suites share: apps ready for tests, API and page drivers for each portal."""

from shared.keys import development_value
from shared.ofd.seal import seal_key

TEST_SEAL = seal_key(development_value("CERTSIM_SEAL_SEED"))  # what an app without SEAL_SEED seals with
