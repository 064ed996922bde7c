"""The bench (./bench/run): the one-box promise measured at 1,000 organizations. Not tests."""
