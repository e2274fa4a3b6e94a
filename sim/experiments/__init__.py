"""Experiments: sweep specs and their design, the runner (local pool or Dask) and the results store (Parquet)."""
