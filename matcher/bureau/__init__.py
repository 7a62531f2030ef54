"""Bureau desks (admin role): shortage desk, point-to-point cohorts, early warning.

Modules: :mod:`gaps` (labor gaps and fill rates), :mod:`candidates` (three-source
candidates for a gap), :mod:`dispatch` (the daily batch allocation), :mod:`cohorts` and
:mod:`cohort_allocation` (return trips), :mod:`warning` (risk scores, watch list),
:mod:`outbox` (notifications), :mod:`series` (dashboard data), :mod:`demo`.
"""

from matcher.words import N_

#: the desks' codes that messages pass as ``word(...)`` (listed here for extraction)
STATUS_WORDS = (
    N_("proposed"), N_("confirmed"), N_("discarded"), N_("formed"), N_("departed"),
    N_("arrived"), N_("handed_over"), N_("open"), N_("resolved"), N_("wage_arrears"),
    N_("layoff"), N_("seeker"), N_("surplus"), N_("cohort"),
)
