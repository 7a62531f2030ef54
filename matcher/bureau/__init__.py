"""Bureau desks (admin role): shortage desk, point-to-point cohorts, early warning.

Modules: :mod:`gaps` (labor gaps and fill rates), :mod:`candidates` (three-source
candidates for a gap), :mod:`dispatch` (the daily batch allocation), :mod:`cohorts` and
:mod:`cohort_allocation` (return trips), :mod:`warning` (risk scores, watch list),
:mod:`outbox` (notifications), :mod:`series` (dashboard data), :mod:`demo`.
"""
