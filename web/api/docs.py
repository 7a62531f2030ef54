"""A self-hosted, script-free page listing the operations of the OpenAPI document, and the
money units every amount field carries in that document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs_page", __name__, template_folder="templates")

FEN = "1 yuan = 100 fen; the database stores fen"
#: money fields without a unit suffix, and their unit (all stored as integer fen)
MONEY_UNITS = {
    "wage_min": "fen per month", "wage_max": "fen per month",
    "daily_cost": "fen per day", "declared_daily_cost": "fen per day",
    "reimbursement_per_day": "fen per day",
}


def money_unit(name: str) -> str | None:
    """The unit of a money field named ``name`` (``*_fen``, ``*_yuan*`` or a known name)."""
    if name in MONEY_UNITS:
        return MONEY_UNITS[name]
    if name.endswith("_fen"):
        return "fen"
    if "_yuan" in name:
        return "yuan per day" if name.endswith("_per_day") else "yuan"
    return None


def money_description(converter: Any, field: Any, ret: dict[str, Any] | None = None,
                      **_kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: state the unit of every money field in its description."""
    unit = money_unit(field.data_key or field.name or "")
    if unit is None:
        return {}
    said = (ret or {}).get("description") or field.metadata.get("description") or ""
    if unit.split()[0] in said:
        return {"description": said}
    prefix = f"{said}; " if said else ""
    return {"description": f"{prefix}amount in {unit} ({FEN})"}


def document_money(api: Any) -> None:
    """Make ``api`` (flask-smorest) describe the unit of each money field; call before
    registering blueprints."""
    api.ma_plugin.converter.add_attribute_function(money_description)


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
