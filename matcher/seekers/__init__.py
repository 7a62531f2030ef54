"""Job seekers: their own profile, consent, recommendations, interest, export and deletion.

Modules: :mod:`.services` (profile writes that keep the people index in step),
:mod:`.actions` (what a seeker does, with its permission check) and :mod:`.queries`
(what a seeker reads).
"""
