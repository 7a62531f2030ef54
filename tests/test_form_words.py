"""Issue 16, core words: validation messages, labels, error pages, favicon, in both languages."""

from __future__ import annotations

import inspect
import re

import pytest
from builders.forms import post_form
from flask import Flask
from marshmallow import ValidationError
from marshmallow import fields as mfields
from marshmallow import validate as mvalidate

from matcher.words import Msg, render
from web.form_words import MESSAGES, Template, gettext_form
from web.labels import LABELS
from web.schemas import InputSchema


@pytest.fixture
def app(signup_app: Flask) -> Flask:
    return signup_app


_post = post_form


# --- marshmallow's messages are msgids with their limits as values ---------------------------

def _marshmallow_templates() -> set[str]:
    found: set[str] = set()
    for _name, cls in inspect.getmembers(mfields, inspect.isclass):
        for klass in cls.__mro__:
            found.update(getattr(klass, "default_error_messages", {}).values())
    for _name, cls in inspect.getmembers(mvalidate, inspect.isclass):
        for attr in ("default_message", "message_min", "message_max", "message_all",
                     "message_equal"):
            value = vars(cls).get(attr)
            if isinstance(value, str):
                found.add(value)
    for inclusive in (True, False):  # Range builds its sentences from its bounds
        for other in (True, False):
            rng = mvalidate.Range(0, 1, min_inclusive=inclusive, max_inclusive=other)
            found.update({rng.message_min, rng.message_max, rng.message_all})
    return {t for t in found if "{min_op}" not in t and "{max_op}" not in t}


def test_every_marshmallow_message_is_listed_for_the_catalogs() -> None:
    listed = set(MESSAGES)
    missing = sorted(gettext_form(t)[0] for t in _marshmallow_templates()
                     if gettext_form(t)[0] not in listed)
    assert missing == []


def test_a_template_formats_to_a_message_with_its_limit() -> None:
    made = Template("Shorter than minimum length {min}.").format(input="ab", min=3)
    assert isinstance(made, Msg) and made == "Shorter than minimum length 3."
    assert made.msgid == "Shorter than minimum length %(min)s." and made.params == {"min": 3}
    table = {"Shorter than minimum length %(min)s.": "短于最小长度 %(min)s。"}
    assert render(made, table.get) == "短于最小长度 3。"


class _Probe(InputSchema):
    name = mfields.String(required=True, validate=mvalidate.Length(min=2, max=5))
    n = mfields.Integer(validate=mvalidate.Range(min=1, max=9))
    sort = mfields.String(validate=mvalidate.OneOf(["a", "b"]))
    tags = mfields.List(mfields.String(validate=mvalidate.Length(max=2)))


def test_input_schemas_raise_msgids_with_parameters() -> None:
    with pytest.raises(ValidationError) as err:
        _Probe().load({"n": 10, "sort": "z", "tags": ["abc"]})
    found = err.value.messages
    assert isinstance(found, dict)
    assert found["name"][0].msgid == "Missing data for required field."
    assert found["n"][0].msgid.startswith("Must be greater than or equal to %(min)s")
    assert found["n"][0].params == {"min": 1, "max": 9}
    assert found["sort"][0].msgid == "Must be one of: %(choices)s."
    assert found["tags"][0][0].msgid == "Longer than maximum length %(max)s."
    with pytest.raises(ValidationError) as err:
        _Probe().load({"name": "x"})
    short = err.value.messages
    assert isinstance(short, dict) and short["name"][0].params == {"min": 2, "max": 5}


# --- the API: translated message, stable code and field keys --------------------------------

def test_api_422_is_chinese_by_default_and_english_on_request(app: Flask) -> None:
    client = app.test_client()
    zh = client.get("/api/v1/vacancies?page=0&per_page=abc").get_json()["error"]
    en = client.get("/api/v1/vacancies?page=0&per_page=abc",
                    headers={"Accept-Language": "en"}).get_json()["error"]
    assert zh["code"] == en["code"] == "validation_failed"
    assert set(zh["fields"]) == set(en["fields"]) == {"page", "per_page"}
    assert zh["message"] == "请检查标出的栏目。"
    assert en["message"] == "Please check the highlighted fields."
    assert zh["fields"]["per_page"] == ["不是有效的整数。"]
    assert en["fields"]["per_page"] == ["Not a valid integer."]
    assert "1" in zh["fields"]["page"][0] and re.search(r"[\u4e00-\u9fff]", zh["fields"]["page"][0])
    assert en["fields"]["page"][0].startswith("Must be greater than or equal to 1")


# --- forms: every error at once, with labels, typed values kept -----------------------------

def test_registration_shows_every_error_at_once_with_labels(app: Flask) -> None:
    client = app.test_client()
    resp = _post(client, "/auth/register/enterprise",
                 {"email": "not-an-email", "password": "short", "name": "",
                  "credit_code": "91350100M000100Y43", "district": "朝阳区"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "请填写有效的邮箱地址。" in html  # email
    assert "密码至少需要 10 个字符。" in html  # password, in the same round
    assert "此项为必填" in html  # name
    summary = html.split('role="alert"', 1)[1].split("</div>", 1)[0]
    for label in ("邮箱", "密码", "姓名"):
        assert label in summary, label
    assert "<code>email</code>" not in html and "email:" not in summary
    assert 'value="not-an-email"' in html and 'value="91350100M000100Y43"' in html
    en = _post(client, "/auth/register/enterprise?lang=en",
               {"email": "not-an-email", "password": "short", "name": ""})
    text = en.get_data(as_text=True)
    assert "A valid email address is required." in text
    assert "A password needs at least 10 characters." in text
    assert ">Email<" in text and ">Password<" in text


def test_seeker_signup_shows_form_and_profile_rule_errors_in_one_round(app: Flask) -> None:
    """A bad email, a bad phone and a travel range beyond 1000 km: all three at once."""
    client = app.test_client()
    resp = _post(client, "/seeker/signup?lang=en",
                 {"email": "not-an-email", "password": "harbour-lantern-42", "district": "朝阳区",
                  "phone": "12345", "travel_km": "5000", "skills": "叉车",
                  "consent_matching": "on"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "A valid email address is required." in html
    assert "Expected an 11-digit mobile number." in html
    assert "Must be between 0 and 1000." in html
    assert 'value="12345"' in html and 'value="not-an-email"' in html


# --- error pages and the favicon ------------------------------------------------------------

def test_missing_page_is_a_translated_404_page(app: Flask) -> None:
    client = app.test_client()
    zh = client.get("/nonexistent")
    assert zh.status_code == 404
    page = zh.get_data(as_text=True)
    assert "页面不存在" in page and "该页面或记录不存在。" in page and "返回首页" in page
    assert "Not Found" not in page and "requested URL" not in page
    en = client.get("/nonexistent?lang=en")
    page = en.get_data(as_text=True)
    assert en.status_code == 404
    assert "Page not found" in page and "Go to the home page" in page
    assert not re.search(r"[\u4e00-\u9fff]{2,}", page.split("<main>", 1)[1].split("</main>")[0])


def test_favicon_answers(app: Flask) -> None:
    client = app.test_client()
    with client.get("/favicon.ico") as resp:
        assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
        assert b"<svg" in resp.data
    assert 'rel="icon"' in client.get("/auth/login").get_data(as_text=True)


def test_every_label_is_a_sentence_case_msgid() -> None:
    assert all(label[:1].isupper() for label in LABELS.values())


def test_districts_read_in_the_readers_language(app: Flask) -> None:
    from web.labels import district
    with app.test_request_context("/?lang=en"):
        assert district("朝阳区") == "Chaoyang" and district(None) == ""
    with app.test_request_context("/"):
        assert district("朝阳") == "朝阳区" and district("somewhere") == "somewhere"


def test_every_input_field_has_a_label() -> None:
    import importlib
    import pkgutil

    import web
    for module in pkgutil.walk_packages(web.__path__, "web."):
        importlib.import_module(module.name)
    names: set[str] = set()

    def walk(cls: type[InputSchema]) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("web."):
                names.update(f.data_key or k for k, f in sub._declared_fields.items())
            walk(sub)

    walk(InputSchema)
    assert sorted(n for n in names if n not in LABELS) == []
