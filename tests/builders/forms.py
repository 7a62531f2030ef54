"""Posting HTML forms in Flask test clients: the CSRF token is read from a page first."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def post_form(client: FlaskClient, url: str, data: dict[str, Any],
              token_page: str = "/auth/login") -> Any:
    """POST ``data`` to ``url`` with the CSRF token of ``token_page`` (the login page)."""
    found = CSRF.search(client.get(token_page).get_data(as_text=True))
    assert found is not None, f"no CSRF token on {token_page}"
    return client.post(url, data={**data, "csrf_token": found.group(1)})
