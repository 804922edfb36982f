"""Benchmarks of the zwt pipeline (`python -m benchmarks.run`) and the DuckDB reference."""
