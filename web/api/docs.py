"""A self-hosted, script-free page listing the operations of the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs_page", __name__, template_folder="templates")


@bp.get("/docs")
def docs_page() -> str:
    """Browsable API reference generated from the OpenAPI document."""
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    operations = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.append({"method": method.upper(), "path": path,
                                   "summary": op.get("summary", ""),
                                   "tag": ", ".join(op.get("tags", [])),
                                   "responses": sorted(op.get("responses", {}))})
    return render_template("api_docs.html", spec=spec, operations=operations)
