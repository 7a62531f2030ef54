"""Server-rendered pages for each role: /seeker, /enterprise, /agency, /admin.

Views parse the form, call one action or query of a feature package (the same ones the JSON
API calls) through :func:`web.security.perform` / :func:`web.security.read`, and render; the
actions and queries check roles and ownership themselves.
"""

from __future__ import annotations

from flask import Flask

from web.pages import admin, agency, applications, claims, enterprise, jobs, lending, seeker
from web.pages.common import pct, yuan

PREFIXES = {"seeker": "/seeker", "enterprise": "/enterprise", "agency": "/agency",
            "admin": "/admin"}


def init_app(app: Flask) -> None:
    """Register the role blueprints and the template filters they use."""
    for module in (seeker, enterprise, agency, admin):
        role = module.bp.name.removesuffix("_pages")
        app.register_blueprint(module.bp, url_prefix=PREFIXES[role])
    app.register_blueprint(lending.bp)  # /enterprise/lending/..., /ack/<token>
    app.register_blueprint(applications.bp)  # /seeker/applications, /inbox, ...
    app.register_blueprint(claims.bp)  # /seeker/claims, /enterprise/claims, /admin/eligibility
    app.register_blueprint(jobs.bp)  # /admin/jobs: the bureau's job status page
    app.add_template_filter(yuan, "yuan")
    app.add_template_filter(pct, "pct")
