"""The data ``manage.py bench_generate`` writes for ``make bench`` (never for a real database), one module per
data set: ``rows`` (bulk INSERTs and the bench federation), ``live`` (an open session, its panel and audience),
``pages`` (menu, orders, needs), ``results`` (a scored session) and ``cases`` (the expert desk's records)."""
