"""Vacancies: what enterprises post, and the public search over them.

Modules: :mod:`.services` (writes that keep the vacancies index in step), :mod:`.actions`
(post, edit, close, fill, delete, each with its permission check) and :mod:`.queries`
(the public search and one vacancy; an enterprise's own vacancies and their candidates).
"""
