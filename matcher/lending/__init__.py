"""Shared employment: enterprises lend idle staff to enterprises short of labor.

The worker keeps the labor contract with the lender, which keeps paying wages and social
insurance; the borrower reimburses the lender's cost without the lender profiting; the
three sign an agreement. Modules:

- :mod:`~matcher.lending.pool` - the idle staff pool (declare, consent, lending window)
- :mod:`~matcher.lending.demand` - borrowing requests and vacancies accepting borrowed staff
- :mod:`~matcher.lending.compliance` - the rules and the refusal messages users see
- :mod:`~matcher.lending.terms` - agreement terms and the plain views callers get back
- :mod:`~matcher.lending.agreements` - agreement lifecycle, ``return_due`` for the scheduler
- :mod:`~matcher.lending.matching` - both-ways matching, lenders grouped for a borrower
- :mod:`~matcher.lending.engine_scoring` - the matching engine's ranking as the scorer
- :mod:`~matcher.lending.allocation` - the day's batch allocation (assignment problem)
- :mod:`~matcher.lending.documents` - the printable agreement (HTML)
- :mod:`~matcher.lending.actions` - what an enterprise does, each with its permission check
- :mod:`~matcher.lending.queries` - what an enterprise reads: its staff, requests, agreements

Services take the runtime and an open unit of work, flush but do not commit::

    with rt.uow() as uow:
        view = agreements.accept(rt, uow, agreement_id, actor="user:7")
        uow.commit()
"""
