"""Marshmallow row schemas for bulk import, one per kind, lenient about how values are written.

Each schema loads one row (CSV strings or JSON values) into Python values keyed by column
name, with every optional column filled with its documented default. Empty cells and JSON
``null`` count as "not given". Enum columns accept the enum value and common Chinese
labels (``重点`` -> ``key``). Money columns are yuan in files and integer fen after loading.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validates_schema
from marshmallow.validate import Length, OneOf, Range

from matcher.enums import EmploymentType, KeyTier, SeekerCategory, SizeClass, Urgency, VacancyStatus
from matcher.reference.districts import canonical_district
from matcher.reference.districts import find as find_district
from matcher.subsidy.rule_fields import DEGREE_LEVELS
from matcher.validators import (
    InvalidIdentifier,
    InvalidText,
    clean_name,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from matcher.words import N_, msg

KINDS = ("enterprises", "vacancies", "seekers", "surplus")
_LIST_SPLIT = re.compile(r"[;；]")
_REQUIRED = {"required": msg("Required (missing or empty).")}
#: "low must not <verb> high" for the pairs of ordered columns
ORDER_MESSAGES = {"exceed": N_("%(low)s must not exceed %(high)s."),
                  "be after": N_("%(low)s must not be after %(high)s.")}


class Keep(str):
    """A masked identifier read back from an export: keep the stored value unchanged."""


LABELS: dict[type[StrEnum], dict[str, str]] = {
    KeyTier: {"无": "none", "普通": "none", "非重点": "none", "普惠": "inclusive",
              "普惠性": "inclusive", "重点": "key", "重点企业": "key", "优先": "priority",
              "特别重点": "priority", "重中之重": "priority"},
    SizeClass: {"微": "micro", "微型": "micro", "小": "small", "小型": "small", "中": "medium",
                "中型": "medium", "大": "large", "大型": "large"},
    EmploymentType: {"长期": "long_term", "全职": "long_term", "长期合同": "long_term",
                     "短期": "short_term", "临时": "short_term", "灵活用工": "short_term",
                     "共享": "shared", "共享用工": "shared", "借用": "shared"},
    Urgency: {"普通": "normal", "一般": "normal", "正常": "normal", "紧急": "urgent",
              "急": "urgent", "急聘": "urgent", "特急": "critical", "非常紧急": "critical"},
    VacancyStatus: {"招聘中": "open", "开放": "open", "关闭": "closed", "已关闭": "closed",
                    "已满": "filled", "已招满": "filled"},
    SeekerCategory: {"高校毕业生": "graduate", "毕业生": "graduate", "应届毕业生": "graduate",
                     "登记失业人员": "registered_unemployed", "失业人员": "registered_unemployed",
                     "农民工": "migrant_worker", "返乡农民工": "migrant_worker",
                     "外来务工人员": "migrant_worker", "就业困难人员": "employment_difficulty",
                     "就业困难": "employment_difficulty"},
}


def _enum_key(value: str) -> str:
    return "_".join(value.strip().lower().replace("-", " ").split())


def choice_parser(enum_cls: type[StrEnum]) -> Callable[[str], StrEnum]:
    """A function turning a value, member name or Chinese label into an ``enum_cls`` member."""
    lookup: dict[str, StrEnum] = {}
    for member in enum_cls:
        lookup[_enum_key(member.value)] = member
        lookup[_enum_key(member.name)] = member
    for label, value in LABELS.get(enum_cls, {}).items():
        lookup[label] = enum_cls(value)
    allowed = ", ".join(m.value for m in enum_cls)

    def parse(value: str) -> StrEnum:
        member = lookup.get(_enum_key(value)) if isinstance(value, str) else None
        if member is None:
            raise ValidationError(msg("Must be one of: %(choices)s.", choices=allowed))
        return member

    return parse


class Choice(fields.Field[StrEnum]):
    """An enum column (see :data:`LABELS` for the Chinese labels accepted)."""

    def __init__(self, enum_cls: type[StrEnum], **kwargs: Any):
        super().__init__(**kwargs)
        self._parse = choice_parser(enum_cls)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> StrEnum:
        return self._parse(value)


class Ident(fields.Field[str]):
    """An external identifier: text (or a JSON integer), at most 64 characters."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError(msg("Must be text."))
        text = str(value).strip()
        if len(text) > 64:
            raise ValidationError(msg("At most %(max)s characters.", max=64))
        return text


class StrList(fields.Field[list[str]]):
    """A list of short texts: a JSON array, or one cell with items separated by ``;``."""

    def __init__(self, item: Callable[[str], Any] | None = None, **kwargs: Any):
        kwargs.setdefault("load_default", list)
        super().__init__(**kwargs)
        self._item = item

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if isinstance(value, str):
            parts: list[Any] = _LIST_SPLIT.split(value)
        elif isinstance(value, list):
            parts = value
            if any(isinstance(p, str) and _LIST_SPLIT.search(p) for p in parts):
                raise ValidationError(msg("List items may not contain ';'."))
        else:
            raise ValidationError(msg("Must be a list (in CSV: items separated by ';')."))
        out: list[str] = []
        for part in parts:
            if isinstance(part, bool) or not isinstance(part, str | int | float):
                raise ValidationError(msg("List items must be text."))
            text = str(part).strip()
            if not text:
                continue
            if len(text) > 100:
                raise ValidationError(msg("List items must be at most %(max)s characters.",
                                          max=100))
            item = str(self._item(text)) if self._item else text
            if item not in out:
                out.append(item)
        if len(out) > 50:
            raise ValidationError(msg("At most %(max)s items.", max=50))
        return out


class Whole(fields.Field[int]):
    """A whole number (JSON integer or digits), optionally within a range."""

    def __init__(self, low: int | None = None, high: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._low, self._high = low, high

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(msg("Must be a whole number."))
        if self._low is not None and value < self._low:
            raise ValidationError(msg("Must be at least %(min)s.", min=self._low))
        if self._high is not None and value > self._high:
            raise ValidationError(msg("Must be at most %(max)s.", max=self._high))
        return value


class Yuan(fields.Field[int]):
    """An amount in yuan (up to 2 decimals) in the file, loaded as integer fen."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValidationError(msg("Must be an amount in yuan."))
        try:
            amount = Decimal(str(value).strip().removesuffix("元").replace(",", ""))
        except InvalidOperation:
            raise ValidationError(msg("Enter an amount in yuan, e.g. 6500 or 6500.50.")) from None
        if not amount.is_finite() or amount < 0 or amount > 100_000_000:
            raise ValidationError(msg("Must be between %(min)s and %(max)s yuan.", min=0,
                                      max="100,000,000"))
        fen = amount * 100
        if fen != fen.to_integral_value():
            raise ValidationError(msg("At most 2 decimal places."))
        return int(fen)


class CreditCode(fields.Field[str]):
    """A unified social credit code with a valid GB 32100 check character."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            return validate_credit_code(str(value))
        except InvalidIdentifier as exc:
            raise ValidationError(str(exc)) from None


class IdNumber(fields.Field[str]):
    """A national ID number (GB 11643); a masked value (with ``*``) means "keep stored"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = str(value).strip()
        if "*" in text:
            return Keep(text)
        try:
            return validate_id_number(text)
        except InvalidIdentifier as exc:
            raise ValidationError(str(exc)) from None


class Phone(fields.Field[str]):
    """A mainland mobile (11 digits) or landline with area code; masked means "keep"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = re.sub(r"[\s\-()]", "", str(value))
        if "*" in text:
            return Keep(text)
        try:  # width-blind, without zero-width characters (matcher.validators, as the API)
            return validate_phone(text)
        except InvalidIdentifier as exc:
            raise ValidationError(str(exc)) from None


class Name(fields.String):
    """A name or title: NFC, zero-width characters dropped, bidi controls refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            return clean_name(super()._deserialize(value, attr, data, **kwargs))
        except InvalidText as exc:
            raise ValidationError(str(exc)) from None


class District(fields.String):
    """A district of the city, normalized (``朝阳``/``Chaoyang`` -> ``朝阳区``); others are
    refused, as in the API."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        name = super()._deserialize(value, attr, data, **kwargs)
        if find_district(name) is None:
            raise ValidationError(msg("Not a district of this city."))
        return canonical_district(name)


def _text(size: int, **kwargs: Any) -> fields.String:
    kwargs.setdefault("load_default", None)
    return fields.String(validate=Length(max=size), **kwargs)


def _required(field_cls: Any, *args: Any, **kwargs: Any) -> Any:
    return field_cls(*args, required=True, error_messages=_REQUIRED, **kwargs)


_TRUTHY = fields.Boolean.truthy | {"是", "同意", "有"}
_FALSY = fields.Boolean.falsy | {"否", "不同意", "无"}


def _flag(default: bool | None) -> fields.Boolean:
    return fields.Boolean(truthy=_TRUTHY, falsy=_FALSY, load_default=default)


def _date() -> fields.Date:
    return fields.Date(load_default=None,
                       error_messages={"invalid": msg("Enter a date as YYYY-MM-DD.")})


def _order(data: dict[str, Any], low: str, high: str, verb: str = "be after") -> None:
    if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
        raise ValidationError(msg(ORDER_MESSAGES[verb], low=low, high=high), field_name=high)


class RowSchema(Schema):
    """Common behaviour: unknown columns ignored, empty values dropped, location pairs."""

    class Meta:
        unknown = EXCLUDE

    external_id = _required(Ident)
    district = District(validate=Length(max=64), load_default=None)
    latitude = fields.Float(allow_nan=False, validate=Range(-90, 90), load_default=None)
    longitude = fields.Float(allow_nan=False, validate=Range(-180, 180), load_default=None)

    @pre_load
    def _drop_empty(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        out = {}
        for key, value in data.items():
            value = value.strip() if isinstance(value, str) else value
            if value is not None and value != "":
                out[key] = value
        return out

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _location(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        given = {k for k in ("latitude", "longitude")
                 if isinstance(original, dict) and str(original.get(k) or "").strip()}
        if len(given) == 1:
            missing = "longitude" if "latitude" in given else "latitude"
            raise ValidationError(msg("Latitude and longitude must be given together."),
                                  field_name=missing)


class EnterpriseRow(RowSchema):
    """An enterprise."""

    name = _required(fields.String, validate=Length(max=200))
    credit_code = CreditCode(load_default=None)
    industry = _text(100)
    size_class = Choice(SizeClass, load_default=SizeClass.SMALL)
    key_tier = Choice(KeyTier, load_default=KeyTier.NONE)
    city = _text(64, load_default="北京市")
    key_tier_set_on = _date()
    is_leading_industrial = _flag(False)  # the city's leading industrial enterprises


class VacancyRow(RowSchema):
    """A vacancy of an enterprise (wages in yuan per month)."""

    enterprise_external_id = _required(Ident)
    title = _required(Name, validate=Length(max=200))
    description = _text(20_000, load_default="")
    required_skills = StrList()
    preferred_skills = StrList()
    headcount = Whole(1, 1_000_000, load_default=1)
    employment_type = Choice(EmploymentType, load_default=EmploymentType.LONG_TERM)
    wage_min = Yuan(load_default=None)
    wage_max = Yuan(load_default=None)
    shift = _text(64)
    start_date = _date()
    urgency = Choice(Urgency, load_default=Urgency.NORMAL)
    status = Choice(VacancyStatus, load_default=VacancyStatus.OPEN)
    accepts_borrowed = _flag(None)
    borrow_from = _date()
    borrow_to = _date()

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        _order(data, "wage_min", "wage_max", "exceed")
        _order(data, "borrow_from", "borrow_to")
        shared = data.get("employment_type") == EmploymentType.SHARED
        if shared and data.get("accepts_borrowed") is False:
            raise ValidationError(msg("A shared vacancy accepts borrowed staff."),
                                  field_name="accepts_borrowed")


class SeekerRow(RowSchema):
    """A job seeker (identity fields are encrypted by the importer)."""

    name = Name(validate=Length(max=100), load_default=None)
    id_number = IdNumber(load_default=None)
    phone = Phone(load_default=None)
    desired_positions = StrList()
    skills = StrList()
    experience = _text(20_000, load_default="")
    travel_km = fields.Float(allow_nan=False, validate=Range(0, 1000), load_default=None)
    categories = StrList(item=choice_parser(SeekerCategory))
    available_from = _date()
    graduation_year = Whole(1950, 2100, load_default=None)
    degree_level = fields.String(load_default=None, allow_none=True,
                                 validate=OneOf(DEGREE_LEVELS,
                                                error="must be one of {choices}"))
    origin_province = _text(32)
    available_to = _date()
    consent_matching = _flag(True)
    consent_share_with_agencies = _flag(True)

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        _order(data, "available_from", "available_to")


class SurplusRow(RowSchema):
    """An idle employee offered for lending (daily_cost in yuan per day)."""

    enterprise_external_id = _required(Ident)
    name = Name(validate=Length(max=100), load_default=None)
    skills = StrList()
    experience = _text(20_000, load_default="")
    available_from = _date()
    available_to = _date()
    consent = _flag(False)
    daily_cost = Yuan(load_default=None)

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        _order(data, "available_from", "available_to")


SCHEMAS: dict[str, type[RowSchema]] = {
    "enterprises": EnterpriseRow, "vacancies": VacancyRow, "seekers": SeekerRow,
    "surplus": SurplusRow,
}


COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": ("external_id", "name", "credit_code", "district", "latitude", "longitude",
                    "industry", "size_class", "key_tier", "city", "key_tier_set_on",
                    "is_leading_industrial"),
    "vacancies": ("external_id", "enterprise_external_id", "title", "description",
                  "required_skills", "preferred_skills", "district", "latitude", "longitude",
                  "headcount", "employment_type", "wage_min", "wage_max", "shift", "start_date",
                  "urgency", "status", "accepts_borrowed", "borrow_from", "borrow_to"),
    "seekers": ("external_id", "name", "id_number", "phone", "desired_positions", "skills",
                "experience", "district", "latitude", "longitude", "travel_km", "categories",
                "available_from", "available_to", "graduation_year", "degree_level",
                "origin_province", "consent_matching", "consent_share_with_agencies"),
    "surplus": ("external_id", "enterprise_external_id", "name", "skills", "experience",
                "district", "latitude", "longitude", "available_from", "available_to", "consent",
                "daily_cost"),
}


def required_columns(kind: str) -> list[str]:
    """The columns every row of ``kind`` must have."""
    return [name for name, f in SCHEMAS[kind]().fields.items() if f.required]
