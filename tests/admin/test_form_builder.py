"""The form editor: plain-words validation that saves nothing, saves that
go live at once, the no-JavaScript field buttons, the draft preview, and the
forms list actions."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import MultiDict

from crm_core.db import transaction
from crm_core.models import Priority, Prospect, Role, Source, Status, WebForm
from tests.admin.html_forms import read_form, with_values

FormFactory = Callable[..., dict[str, Any]]


@pytest.fixture
def marketing(as_role: Callable[[Role], FlaskClient]) -> FlaskClient:
    return as_role(Role.MARKETING)


@pytest.fixture
def form(make_form: FormFactory) -> dict[str, Any]:
    return make_form()


def editor(client: FlaskClient, form_id: int) -> MultiDict[str, str]:
    response = client.get(f"/admin/forms/{form_id}")
    assert response.status_code == 200
    return read_form(response.get_data(as_text=True), "editor")


def page_text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def words(response: Any) -> str:
    """The page's text without markup, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def cached(redis: Redis, key: str) -> dict[str, Any]:
    return json.loads(redis.get(f"lc:form:{key}"))


def saved(session_factory: sessionmaker[Session], form_id: int) -> WebForm:
    with session_factory() as session:
        form = session.get(WebForm, form_id)
        assert form is not None
        _ = list(form.fields)
        return form


def test_the_page_posts_back_unchanged(marketing: FlaskClient, form: dict[str, Any], session_factory) -> None:  # type: ignore[no-untyped-def]
    before = saved(session_factory, form["form_id"])
    response = marketing.post(f"/admin/forms/{form['form_id']}", data=editor(marketing, form["form_id"]))
    assert response.status_code == 302
    after = saved(session_factory, form["form_id"])
    assert [f.as_dict() for f in after.fields] == [f.as_dict() for f in before.fields]
    assert after.allowed_domains == before.allowed_domains
    assert after.name_prefix == before.name_prefix


BAD_INPUT = [
    pytest.param(
        {"allowed_domains": "example.com\nshop example.com"},
        "“shop example.com”: give a domain",
        id="bad-domain",
    ),
    pytest.param(
        {"allowed_domains": "https://example.com/contact"},
        "give a domain, not a page address",
        id="page-url-as-domain",
    ),
    pytest.param(
        {"success_mode": "redirect", "redirect_url": "javascript:alert(1)"},
        "Use a full address starting with https://",
        id="javascript-redirect",
    ),
    pytest.param({"fields-1-map": "name"}, "Each field can appear once: name.", id="duplicate-field"),
    pytest.param(
        {"fields-2-type": "select", "fields-2-options": ""},
        "A list needs at least one option.",
        id="select-without-options",
    ),
    pytest.param({"button_bg": "red"}, "Use a colour like #1f6feb.", id="bad-colour"),
    pytest.param({"button_fg": "#12345"}, "Use a colour like #1f6feb.", id="short-colour"),
    pytest.param({"name": ""}, "Fill this in (at most 200 characters).", id="no-name"),
    pytest.param(
        {"fields-0-map": "custom", "fields-0-custom": "cf_Bad Name!"},
        "give a custom name like cf_budget",
        id="bad-custom-key",
    ),
    pytest.param({"status_id": "999999"}, "Choose a value from the list.", id="unknown-status"),
]


@pytest.mark.parametrize(("change", "message"), BAD_INPUT)
def test_invalid_input_is_explained_and_nothing_is_saved(
    marketing: FlaskClient,
    form: dict[str, Any],
    redis: Redis,
    session_factory: sessionmaker[Session],
    change: dict[str, str],
    message: str,
) -> None:
    form_id = form["form_id"]
    cache_before = redis.get(f"lc:form:{form['key']}")
    before = saved(session_factory, form_id)
    data = with_values(editor(marketing, form_id), **change, name_prefix="[Changed]")
    if "name" not in change:
        data = with_values(data, name="A new name")
    response = marketing.post(f"/admin/forms/{form_id}", data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert "Nothing was saved." in text
    # The message sits next to its input (an element with class "error").
    assert any(message in m for m in re.findall(r'class="error"[^>]*>([^<]*)<', text)), text
    # What the admin typed is still there.
    assert 'value="[Changed]"' in text
    after = saved(session_factory, form_id)
    assert (after.name, after.name_prefix, after.updated_at) == (
        before.name,
        before.name_prefix,
        before.updated_at,
    )
    assert redis.get(f"lc:form:{form['key']}") == cache_before


def test_a_saved_change_is_what_the_public_endpoint_serves_at_once(
    marketing: FlaskClient, client: FlaskClient, form: dict[str, Any], session_factory: sessionmaker[Session]
) -> None:
    key, form_id = form["key"], form["form_id"]
    assert client.get(f"/f/{key}.json").get_json()["button"]["text"] == "Send"
    with session_factory() as session:
        high = session.scalar(select(Priority).where(Priority.name == "High"))
        assert high is not None
    data = with_values(
        editor(marketing, form_id),
        name="Quote request",
        button_text="Get my quote",
        button_bg="#0b7285",
        button_fg="#ffffff",
        language="ro",
        priority_id=str(high.id),
        allowed_domains="WWW.Example.COM\n*.shop.example.com\nhttps://secure.example.com",
        consent_enabled="on",
        consent_text='Sunt de acord cu <a href="https://example.com/p">politica</a>.',
        **{
            "fields-1-label": "E-mail",
            "fields-9-map": "custom",
            "fields-9-custom": "",
            "fields-9-label": "Buget estimat",
            "fields-9-type": "select",
            "fields-9-options": "sub 1000\nîntre 1000 și 5000\npeste 5000",
            "fields-9-required": "on",
        },
    )
    response = marketing.post(f"/admin/forms/{form_id}", data=data)
    assert response.status_code == 302
    public = client.get(f"/f/{key}.json").get_json()
    assert public["name"] == "Quote request"
    assert public["language"] == "ro"
    assert public["button"] == {"text": "Get my quote", "background": "#0b7285", "color": "#ffffff"}
    assert public["fields"][1]["label"] == "E-mail"
    assert public["fields"][-1] == {
        "name": "cf_buget_estimat",
        "label": "Buget estimat",
        "type": "select",
        "required": True,
        "placeholder": "",
        "max_length": 500,
        "options": ["sub 1000", "între 1000 și 5000", "peste 5000"],
    }
    assert "politica" in public["consent"]["text"]
    # Domains come back normalised, in the database and on the page.
    assert saved(session_factory, form_id).allowed_domains == [
        "www.example.com",
        "*.shop.example.com",
        "https://secure.example.com",
    ]
    page = page_text(marketing.get(f"/admin/forms/{form_id}"))
    assert "www.example.com\n*.shop.example.com\nhttps://secure.example.com</textarea>" in page
    # The presets reach the submit path's definition too.
    with session_factory() as session:
        form_row = session.get(WebForm, form_id)
        assert form_row is not None and form_row.priority_id == high.id


def test_a_low_contrast_button_is_saved_with_a_warning(marketing: FlaskClient, form: dict[str, Any]) -> None:
    data = with_values(editor(marketing, form["form_id"]), button_bg="#ffd400", button_fg="#ffffff")
    response = marketing.post(f"/admin/forms/{form['form_id']}", data=data, follow_redirects=True)
    text = page_text(response)
    assert "Saved." in text
    assert "contrast of 1.4:1; at least 4.5:1 is needed" in text


def test_field_buttons_work_without_javascript(
    marketing: FlaskClient, form: dict[str, Any], session_factory
) -> None:  # type: ignore[no-untyped-def]
    form_id = form["form_id"]
    data = editor(marketing, form_id)
    names = lambda d: [d[k] for k in d if k.endswith("-map")]  # noqa: E731
    assert names(data) == ["name", "email", "phone", "company", "description"]

    def press(data: MultiDict[str, str], action: str) -> MultiDict[str, str]:
        response = marketing.post(f"/admin/forms/{form_id}", data=with_values(data, action=action))
        assert response.status_code == 200
        assert "Not saved yet." in page_text(response)
        return read_form(response.get_data(as_text=True), "editor")

    data = press(data, "down-0")
    assert names(data) == ["email", "name", "phone", "company", "description"]
    data = press(data, "up-4")
    assert names(data) == ["email", "name", "phone", "description", "company"]
    data = press(data, "remove-2")
    assert names(data) == ["email", "name", "description", "company"]
    data = press(data, "add")
    assert names(data) == ["email", "name", "description", "company", "custom"]
    data = with_values(data, **{"fields-4-label": "Website", "fields-4-custom": "website url"})
    # Nothing is saved until Save.
    assert saved(session_factory, form_id).fields[0].name == "name"
    response = marketing.post(f"/admin/forms/{form_id}", data=with_values(data, action="save"))
    assert response.status_code == 302
    assert [f.name for f in saved(session_factory, form_id).fields] == [
        "email",
        "name",
        "description",
        "company",
        "cf_website_url",
    ]


def test_the_draft_preview_never_touches_the_saved_form(
    marketing: FlaskClient, client: FlaskClient, form: dict[str, Any], redis: Redis, session_factory
) -> None:  # type: ignore[no-untyped-def]
    form_id = form["form_id"]
    data = with_values(
        editor(marketing, form_id), button_text="Draft button", button_bg="#ffffff", button_fg="#eeeeee"
    )
    answer = marketing.post(f"/admin/forms/{form_id}/draft", data=data).get_json()
    assert answer["errors"] == {}
    assert "contrast" in answer["contrast"]
    preview_key = re.search(r"key=([\w-]+)", answer["preview_url"])[1]  # type: ignore[index]
    draft = cached(redis, preview_key)
    assert draft["button"]["text"] == "Draft button"
    assert draft["allowed_domains"] == [] and draft["form_id"] is None
    assert draft["presets"]["owner_id"] is None
    assert 0 < redis.ttl(f"lc:form:{preview_key}") <= 1800
    # The saved form and its public definition are unchanged.
    assert client.get(f"/f/{form['key']}.json").get_json()["button"]["text"] == "Send"
    assert saved(session_factory, form_id).button_text == "Send"
    # A submission to the preview from the sandboxed page (Origin: null) is refused.
    response = client.post(
        f"/f/{preview_key}", data={"name": "Ana", "email": "ana@example.com"}, headers={"Origin": "null"}
    )
    assert response.status_code == 403

    page = marketing.get(answer["preview_url"])
    assert page.status_code == 200
    assert f'data-form="{preview_key}"' in page.get_data(as_text=True)
    csp = page.headers["Content-Security-Policy"]
    assert "sandbox allow-scripts allow-forms" in csp
    assert "frame-ancestors 'self'" in csp
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"

    bad = marketing.post(f"/admin/forms/{form_id}/draft", data=with_values(data, button_bg="nope")).get_json()
    assert bad["preview_url"] is None
    assert bad["errors"] == {"button_bg": ["Use a colour like #1f6feb."]}


def test_the_embed_code_is_on_the_page(marketing: FlaskClient, form: dict[str, Any]) -> None:
    text = page_text(marketing.get(f"/admin/forms/{form['form_id']}"))
    key = form["key"]
    assert f'<script src="http://localhost/embed.js" data-form="{key}" async></script>' in text
    assert f'<iframe src="http://localhost/f/{key}?frame=1"' in text
    assert f'<a href="http://localhost/f/{key}">Contact us</a>' in text
    assert 'data-copy="#code-script"' in text


def _add_prospect(session_factory: sessionmaker[Session], form_id: int | None, **values: Any) -> int:
    with transaction(session_factory) as session:
        prospect = Prospect(name=values.pop("name", "[Web] Ana"), form_id=form_id, **values)
        session.add(prospect)
        session.flush()
        return prospect.id


def test_forms_list_shows_counters(
    marketing: FlaskClient, form: dict[str, Any], redis: Redis, session_factory: sessionmaker[Session]
) -> None:
    redis.set(f"lc:stats:views:{form['key']}", 40)
    redis.set(f"lc:stats:submissions:{form['key']}", 3)
    for _ in range(2):
        _add_prospect(session_factory, form["form_id"])
    text = page_text(marketing.get("/admin/forms"))
    stats = re.findall(r"<dt>(\w[\w ]*)</dt><dd>(\d+)</dd>", text)
    assert stats == [("Views", "40"), ("Submissions", "3"), ("Prospects", "2")]
    assert "5.0% of views became prospects" in text
    assert "example.com" in text and "*.example.org" in text


def test_create_duplicate_deactivate_and_delete(
    marketing: FlaskClient, client: FlaskClient, redis: Redis, session_factory: sessionmaker[Session]
) -> None:
    response = marketing.post("/admin/forms", data={"name": "Newsletter"})
    assert response.status_code == 302
    form_id = int(response.headers["Location"].rsplit("/", 1)[1])
    form = saved(session_factory, form_id)
    assert [f.name for f in form.fields] == ["name", "email", "phone", "description"]
    assert client.get(f"/f/{form.key}.json").status_code == 200  # published at once

    response = marketing.post(f"/admin/forms/{form_id}/duplicate")
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    copy = saved(session_factory, copy_id)
    assert copy.name == "Copy of Newsletter" and not copy.active and copy.key != form.key
    assert client.get(f"/f/{copy.key}.json").status_code == 404  # inactive

    marketing.post(f"/admin/forms/{form_id}/active", data={"active": "0"})
    assert client.get(f"/f/{form.key}.json").status_code == 404
    marketing.post(f"/admin/forms/{form_id}/active", data={"active": "1"})
    assert client.get(f"/f/{form.key}.json").status_code == 200

    prospect_id = _add_prospect(session_factory, form_id)
    confirm = words(marketing.get(f"/admin/forms/{form_id}/delete"))
    assert "The 1 prospect it created stays in the CRM." in confirm
    assert marketing.post(f"/admin/forms/{form_id}/delete").status_code == 302
    assert client.get(f"/f/{form.key}.json").status_code == 404
    with session_factory() as session:
        assert session.get(WebForm, form_id) is None
        prospect = session.get(Prospect, prospect_id)
        assert prospect is not None and prospect.form_id is None


def test_new_forms_need_a_name(marketing: FlaskClient, session_factory: sessionmaker[Session]) -> None:
    response = marketing.post("/admin/forms", data={"name": "  "}, follow_redirects=True)
    assert "Give the new form a name" in page_text(response)
    with session_factory() as session:
        assert session.scalars(select(WebForm)).all() == []


def test_presets_lists_come_from_settings(
    marketing: FlaskClient, form: dict[str, Any], session_factory
) -> None:  # type: ignore[no-untyped-def]
    text = page_text(marketing.get(f"/admin/forms/{form['form_id']}"))
    with session_factory() as session:
        for model in (Status, Source, Priority):
            for row in session.scalars(select(model)):
                assert f">{row.name}</option>" in text


def test_the_error_summary_links_to_each_problem(marketing: FlaskClient, form: dict[str, Any]) -> None:
    data = with_values(
        editor(marketing, form["form_id"]),
        allowed_domains="shop example.com",
        **{"fields-2-type": "select", "fields-2-options": ""},
    )
    text = page_text(marketing.post(f"/admin/forms/{form['form_id']}", data=data))
    assert '<a href="#allowed_domains">Allowed websites</a>: “shop example.com”: give a domain' in text
    assert '<a href="#fields-2-options">Field 3: Options</a>: A list needs at least one option.' in text
    assert 'id="fields-2-options"' in text
