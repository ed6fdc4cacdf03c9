"""End to end: form → Origin check → RQ → worker → prospect, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import replace

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from capture.app import create_app
from capture.embedded_redis import free_port
from crm_core.models import Priority, Prospect, Source, Status, User
from crm_core.users.services import create_user
from worker.queues import SUBMISSIONS

ORIGIN = {"Origin": "https://example.com"}
JSON = {"Accept": "application/json"}


def prospects(db: Session) -> list[Prospect]:
    db.expire_all()
    return list(db.scalars(select(Prospect).order_by(Prospect.id)).unique())


def queued(redis: Redis) -> int:
    return Queue(SUBMISSIONS, connection=redis).count


def test_submission_becomes_one_prospect_with_the_forms_presets(
    client, db, make_form, drain, session_factory
):
    with session_factory.begin() as session:
        owner = create_user(session, "sales@example.com", "correct horse battery", "sales", name="Sam Sales")
        status = session.scalar(select(Status).where(Status.name == "In progress"))
        source = session.scalar(select(Source).where(Source.name == "Marketing campaign"))
        priority = session.scalar(select(Priority).where(Priority.name == "High"))
        ids = {
            "owner_id": owner.id,
            "status_id": status.id,
            "source_id": source.id,
            "priority_id": priority.id,
        }
    form = make_form(
        **ids,
        consent_enabled=True,
        consent_text='I agree to the <a href="https://example.com/p" onclick="x()">policy</a><script>x</script>',
        fields=[
            {"name": "name", "required": True},
            {"name": "email", "required": True},
            {"name": "company"},
            {"name": "cf_budget", "label": "Budget", "type": "select", "options": ["small", "large"]},
        ],
    )
    client_key = str(uuid.uuid4())
    body = {
        "name": "Ștefan Țăran & Jerry",
        "email": "stefan@example.ro",
        "company": "Žalgiris <b>UAB</b>",
        "cf_budget": "large",
        "_lc_id": client_key,
        "_lc_page": "https://example.com/pricing?utm_source=news",
        "_lc_ref": "https://google.com/",
        "utm_source": "news",
        "utm_campaign": "spring",
        "_lc_consent": "1",
        "_lc_consent_text": "something else the browser claims",
    }
    response = client.post(f"/f/{form['key']}", data=body, headers={**ORIGIN, **JSON})
    assert response.status_code == 202, response.json
    assert response.json["message"] == "Thanks, we'll call you."
    assert response.headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert prospects(db) == []  # the submit path does no database work: nothing until a worker runs

    assert drain() == 1
    [prospect] = prospects(db)
    assert prospect.name == "[Web] Ștefan Țăran & Jerry"
    assert prospect.company == "Žalgiris <b>UAB</b>"  # stored as typed, escaped on output
    assert prospect.email == "stefan@example.ro"
    assert (prospect.status_id, prospect.source_id, prospect.priority_id, prospect.owner_id) == (
        ids["status_id"],
        ids["source_id"],
        ids["priority_id"],
        ids["owner_id"],
    )
    assert prospect.form_id == form["form_id"]
    assert prospect.submission_id == response.json["id"]
    assert prospect.page_url == "https://example.com/pricing?utm_source=news"
    assert prospect.referrer == "https://google.com/"
    assert prospect.attribution == {"utm_source": "news", "utm_campaign": "spring"}
    assert prospect.custom_fields == {"cf_budget": "large"}
    assert prospect.consent_given is True
    assert prospect.consent_text == 'I agree to the <a href="https://example.com/p">policy</a>x'
    assert prospect.consent_at is not None


def test_status_cannot_be_set_by_the_visitor(client, make_form, redis):
    form = make_form()
    response = client.post(
        f"/f/{form['key']}",
        data={"name": "A", "email": "a@example.com", "status_id": "1", "owner_id": "1"},
        headers={**ORIGIN, **JSON},
    )
    assert response.status_code == 400
    assert set(response.json["fields"]) == {"status_id", "owner_id"}
    assert queued(redis) == 0


def test_running_the_same_job_twice_leaves_one_prospect(client, db, make_form, drain, redis):
    form = make_form()
    response = client.post(
        f"/f/{form['key']}", data={"name": "Ana", "email": "ana@example.com"}, headers={**ORIGIN, **JSON}
    )
    job_id = response.json["id"]
    assert drain() == 1
    # Put the very same job back on the queue, as a retry after a crash would.
    job = Job.fetch(job_id, connection=redis, serializer="json")
    Queue(SUBMISSIONS, connection=redis, serializer="json").enqueue_job(job)
    assert drain() == 1
    assert [p.submission_id for p in prospects(db)] == [job_id]


def test_same_idempotency_key_gives_one_job_and_one_prospect(client, db, make_form, drain, redis, app):
    form = make_form()
    key = str(uuid.uuid4())
    data = {"name": "Ana", "email": "ana@example.com", "_lc_id": key}
    first = client.post(f"/f/{form['key']}", data=data, headers={**ORIGIN, **JSON})
    second = client.post(f"/f/{form['key']}", data=data, headers={**ORIGIN, **JSON})
    assert first.status_code == second.status_code == 202
    assert first.json["id"] == second.json["id"]
    assert queued(redis) == 1

    # Concurrently, from several threads at once.
    concurrent_key = str(uuid.uuid4())
    answers: list[tuple[int, str]] = []

    def post() -> None:
        with app.test_client() as c:
            r = c.post(
                f"/f/{form['key']}", data={**data, "_lc_id": concurrent_key}, headers={**ORIGIN, **JSON}
            )
            answers.append((r.status_code, r.json["id"]))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {status for status, _ in answers} == {202}
    assert len({sid for _, sid in answers}) == 1
    assert queued(redis) == 2
    assert drain() == 2
    assert len(prospects(db)) == 2


def test_a_key_reused_on_another_form_is_another_submission(client, make_form):
    a, b = make_form(), make_form(name="Other")
    key = str(uuid.uuid4())
    data = {"name": "Ana", "email": "ana@example.com", "_lc_id": key}
    ra = client.post(f"/f/{a['key']}", data=data, headers={**ORIGIN, **JSON})
    rb = client.post(f"/f/{b['key']}", data=data, headers={**ORIGIN, **JSON})
    assert ra.json["id"] != rb.json["id"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "https://example.com"}, 202),
        ({"Origin": "https://www.shop.example.org"}, 202),
        ({"Origin": "https://evil-example.com"}, 403),
        ({"Origin": "https://example.com.evil.net"}, 403),
        ({"Origin": "http://example.com:8080"}, 403),
        ({"Origin": "null"}, 403),
        ({"Referer": "https://example.com/contact?x=1"}, 202),
        ({"Referer": "https://evil.net/?https://example.com"}, 403),
        ({}, 403),
    ],
)
def test_origin_rule_on_the_endpoint(client, make_form, redis, headers, status):
    form = make_form()
    response = client.post(
        f"/f/{form['key']}", data={"name": "Ana", "email": "ana@example.com"}, headers={**headers, **JSON}
    )
    assert response.status_code == status
    assert queued(redis) == (1 if status == 202 else 0)
    if status == 403:
        # The refusal is readable by the page (so the snippet can say why), without
        # repeating the refused origin.
        assert response.headers.get("Access-Control-Allow-Origin") == "*"
        assert response.json["error"]


def test_validation_errors_are_per_field_and_nothing_is_queued(client, make_form, redis):
    form = make_form(language="ro")
    response = client.post(
        f"/f/{form['key']}", data={"name": "", "email": "not-an-email"}, headers={**ORIGIN, **JSON}
    )
    assert response.status_code == 400
    assert response.json["fields"] == {
        "name": ["Acest câmp este obligatoriu."],
        "email": ["Introduceți o adresă de email validă."],
    }
    assert response.json["error"] == "Corectați câmpurile marcate."
    assert queued(redis) == 0


def test_json_bodies_are_accepted_too(client, make_form, redis):
    form = make_form()
    response = client.post(
        f"/f/{form['key']}", json={"name": "Ana", "email": "ana@example.com"}, headers=ORIGIN
    )
    assert response.status_code == 202
    assert client.post(f"/f/{form['key']}", json=["not", "an", "object"], headers=ORIGIN).status_code == 400
    assert queued(redis) == 1


def test_consent_is_required_when_the_form_asks_for_it(client, make_form, redis):
    form = make_form(consent_enabled=True, consent_text="I agree.")
    response = client.post(
        f"/f/{form['key']}", data={"name": "Ana", "email": "ana@example.com"}, headers={**ORIGIN, **JSON}
    )
    assert response.status_code == 400
    assert response.json["fields"] == {"_lc_consent": ["Please tick this box."]}
    assert queued(redis) == 0


def test_body_too_large_is_413_before_parsing(client, make_form, redis):
    form = make_form()
    response = client.post(
        f"/f/{form['key']}",
        data={"name": "Ana", "email": "ana@example.com", "description": "x" * 70_000},
        headers={**ORIGIN, **JSON},
    )
    assert response.status_code == 413
    assert queued(redis) == 0


def test_unknown_and_inactive_forms_are_404(client, make_form, redis):
    inactive = make_form(active=False)
    for key in ("doesnotexist", inactive["key"]):
        assert client.post(f"/f/{key}", data={"name": "A"}, headers={**ORIGIN, **JSON}).status_code == 404
        assert client.get(f"/f/{key}.json").status_code == 404
    assert queued(redis) == 0


def test_honeypot_answers_like_success_and_creates_nothing(client, make_form, redis, drain, db):
    form = make_form()
    response = client.post(
        f"/f/{form['key']}",
        data={"name": "Bot", "email": "bot@example.com", "_lc_hp": "http://spam"},
        headers={**ORIGIN, **JSON},
    )
    assert response.status_code == 202
    assert response.json["message"] == "Thanks, we'll call you."
    assert queued(redis) == 0
    assert redis.get(f"lc:stats:spam:{form['key']}") == b"1"


def test_redis_down_gives_503_with_retry_after(settings, make_form):
    dead = create_app(replace(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    started = time.monotonic()
    response = dead.test_client().post(
        "/f/anykey1234", data={"name": "Ana", "email": "ana@example.com"}, headers={**ORIGIN, **JSON}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "temporarily unavailable" in response.json["error"]
    assert time.monotonic() - started < 3


def test_stalled_redis_gives_503_within_about_a_second(settings):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # accepts connections, never answers
    port = listener.getsockname()[1]
    try:
        stalled = create_app(replace(settings, redis_url=f"redis://127.0.0.1:{port}/0"))
        started = time.monotonic()
        response = stalled.test_client().post(
            "/f/anykey1234", data={"name": "Ana"}, headers={**ORIGIN, **JSON}
        )
        elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert response.status_code == 503
    assert elapsed < 2.5


def test_definition_is_public_cacheable_and_hides_server_config(client, make_form):
    form = make_form()
    response = client.get(f"/f/{form['key']}.json")
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"key", "name", "language", "fields", "consent", "button", "success", "submit_url"}
    assert body["submit_url"].endswith(f"/f/{form['key']}")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "no-cache"  # revalidated each load: a view, a fresh token
    assert response.headers["X-LC-Token"]
    again = client.get(f"/f/{form['key']}.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_intake_needs_no_database(settings, make_form, redis):
    """The submit path reads the form from Redis only: an app whose database is
    unreachable still accepts (and queues) submissions."""
    form = make_form()
    no_db = create_app(
        replace(settings, database_url=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    )
    response = no_db.test_client().post(
        f"/f/{form['key']}", data={"name": "Ana", "email": "ana@example.com"}, headers={**ORIGIN, **JSON}
    )
    assert response.status_code == 202
    assert queued(redis) == 1
    no_db.extensions["lc_redis"].close()


def test_cold_cache_is_filled_from_the_database(client, make_form, redis):
    form = make_form()
    redis.delete(f"lc:form:{form['key']}")
    assert client.get(f"/f/{form['key']}.json").status_code == 200
    assert json.loads(redis.get(f"lc:form:{form['key']}"))["key"] == form["key"]


def test_embed_script_is_served_with_etag(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert client.get("/embed.js", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_no_javascript_page_posts_and_redirects_303(client, make_form, drain, db):
    form = make_form()
    page = client.get(f"/f/{form['key']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="_lc_id"' in html and 'name="email"' in html
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    own_origin = {"Origin": "http://localhost"}
    bad = client.post(
        f"/f/{form['key']}", data={"name": "Ana", "email": "x"}, headers={**own_origin, **browser}
    )
    assert bad.status_code == 400
    assert "Enter a valid email address." in bad.get_data(as_text=True)
    good = client.post(
        f"/f/{form['key']}",
        data={"name": "Ana", "email": "ana@example.com"},
        headers={**own_origin, **browser},
    )
    assert good.status_code == 303
    assert good.headers["Location"].endswith(f"/f/{form['key']}/thanks")
    assert "Thanks, we&#39;ll call you." in client.get(good.headers["Location"]).get_data(as_text=True)
    assert drain() == 1


def test_redirect_mode_answers_with_the_configured_url(client, make_form):
    form = make_form(success_mode="redirect", redirect_url="https://example.com/thanks")
    json_answer = client.post(
        f"/f/{form['key']}", data={"name": "Ana", "email": "ana@example.com"}, headers={**ORIGIN, **JSON}
    )
    assert json_answer.json["redirect"] == "https://example.com/thanks"
    plain = client.post(
        f"/f/{form['key']}",
        data={"name": "Ana", "email": "ana@example.com"},
        headers={**ORIGIN, "Accept": "text/html"},
    )
    assert plain.status_code == 303 and plain.headers["Location"] == "https://example.com/thanks"


def test_deleted_presets_fall_back_to_defaults(client, db, make_form, drain, session_factory):
    with session_factory.begin() as session:
        owner = create_user(session, "gone@example.com", "correct horse battery", "sales")
    form = make_form(owner_id=owner.id)
    for name in ("Ana", "Ion", "Eva"):  # drained as one batch, whose insert the stale owner breaks
        client.post(
            f"/f/{form['key']}",
            data={"name": name, "email": f"{name}@example.com"},
            headers={**ORIGIN, **JSON},
        )
    with session_factory.begin() as session:
        session.delete(session.get(User, owner.id))
    assert drain() == 3
    landed = prospects(db)
    assert sorted(p.name for p in landed) == ["[Web] Ana", "[Web] Eva", "[Web] Ion"]
    assert {p.owner_id for p in landed} == {None}
    assert db.scalar(select(func.count(Prospect.id))) == 3
