"""Pure report arithmetic (issue 14): business-hours durations, medians and percentiles, time buckets.

No database, no I/O: hub.store.reports and the exactness tests compute the same numbers with these.
"""
