"""Server-rendered pages for each role: /seeker, /enterprise, /agency, /admin.

Views parse the form, call the same matcher services as the JSON API inside the unit-of-work
helpers of :mod:`web.security`, and render; ownership checks go through
:mod:`matcher.accounts.permissions`.
"""

from __future__ import annotations

from flask import Flask

from web.pages.common import pct, yuan

PREFIXES = {"seeker": "/seeker", "enterprise": "/enterprise", "agency": "/agency",
            "admin": "/admin"}


def init_app(app: Flask) -> None:
    """Register the role blueprints and the template filters they use."""
    from web.pages import admin, agency, enterprise, seeker

    for module in (seeker, enterprise, agency, admin):
        role = module.bp.name.removesuffix("_pages")
        app.register_blueprint(module.bp, url_prefix=PREFIXES[role])
    app.add_template_filter(yuan, "yuan")
    app.add_template_filter(pct, "pct")
