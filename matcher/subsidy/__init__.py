"""Placement subsidies: recommendations, hires and their attribution, dated rules,
eligibility with a trace, claims, the payment ledger, caps and reports.

Modules: :mod:`.recommendations`, :mod:`.placements` (hire + attribution), :mod:`.rules`
(the YAML rules file), :mod:`.rule_store` (recorded rule versions), :mod:`.evaluate`,
:mod:`.claims`, :mod:`.ledger`, :mod:`.caps`, :mod:`.reports`; :mod:`.actors` holds who is
acting and :mod:`.views` the plain results. :mod:`.actions` and :mod:`.queries` are what
agencies and administrators call (pages, API and CLI alike), with their permission checks.

Services take an open unit of work, write the change and its audit row, flush, and return
a plain dataclass; they never commit: the caller does, so a refusal leaves nothing behind::

    with rt.uow() as uow:
        result = submit_claim(uow, rules, request, idempotency_key=key, actor=actor)
        uow.commit()
"""
