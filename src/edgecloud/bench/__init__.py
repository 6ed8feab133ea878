"""Benchmarks (``make bench``): each prints its numbers and ends with a ``RESULT`` line."""
