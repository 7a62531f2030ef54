"""Domain services that change vacancies and job seekers and keep the indexes in step.

Every service takes the runtime and an open unit of work, validates (``ValidationFailed``
with field messages), writes the change and an audit entry, flushes and returns a plain
dataclass; the caller commits. Index updates are registered with ``uow.on_commit`` so they
happen only after a successful commit, without a rebuild:

    with rt.uow() as uow:
        view = post_vacancy(rt, uow, VacancyInput(...), actor="admin")
        uow.commit()          # the vacancies index now holds the new vacancy
"""
