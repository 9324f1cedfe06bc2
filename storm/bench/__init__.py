"""``storm bench``: a synthetic district-year loaded through the real collectors, every indicator,
the dashboard's pages and the baselines they are measured against, reported as one JSON document.

:func:`storm.bench.run.run_bench` runs it; the modules are imported only by the command, since
they bring pandas, DuckDB and Streamlit's testing module with them.
"""
