"""Benchmarks (`make bench`): figures and ratios against the machine's own limits; never part of `make test`."""
