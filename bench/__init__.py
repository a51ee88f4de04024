"""`make bench`: seeds a large practice into PostgreSQL and measures the pages and the reminder tick.

Run with the project's Python: `python -m bench.run --help`. See README.md, section "Benchmark".
"""
