"""Benchmarks that print ratios against a baseline (run each with python -m bench.<name>)."""
