"""Benchmarks (not collected by pytest): ``python tests/benchmarks/run.py``."""
