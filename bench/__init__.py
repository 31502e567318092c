"""Benchmarks: ``uv run python -m bench.run`` (see README, "Benchmarks")."""
