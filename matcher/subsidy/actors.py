"""The subsidy services' caller (:class:`Actor`), defined with the principal it derives from."""

from matcher.principal import Actor, require_admin

__all__ = ["Actor", "require_admin"]
