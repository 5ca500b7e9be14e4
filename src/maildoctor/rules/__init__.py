"""Rules: facts in, findings out. Pure: no sockets, no clocks, no files (a layering test checks)."""
