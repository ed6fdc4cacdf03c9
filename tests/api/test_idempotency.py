"""``Idempotency-Key`` on creates: a retry answers the first answer and makes
nothing more — also when the retries race each other — the same key with
another body is a 422, and a failed create keeps no key."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.models import Note, Prospect, Role
from tests.api.conftest import ApiClient, ClientFactory, assert_problem
from tests.conftest import LiveServer


def _count(db: Session, model: Any) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_the_same_key_twice_makes_one_record_and_answers_the_same(admin_api: ApiClient, db: Session) -> None:
    key = {"Idempotency-Key": "order-2026-0001"}
    first = admin_api.post("/api/v1/prospects", json={"name": "Ana", "email": "ana@example.com"}, headers=key)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    # The same content with other spacing and key order is the same request.
    again = admin_api.client.post(
        "/api/v1/prospects",
        data='{ "email": "ana@example.com",   "name": "Ana" }',
        headers={**key, "Authorization": f"Bearer {admin_api.token}", "Content-Type": "application/json"},
    )
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(db, Prospect) == 1
    # Without a key, or with another key, it is a new request.
    assert admin_api.post("/api/v1/prospects", json={"name": "Ana"}).status_code == 201
    assert (
        admin_api.post(
            "/api/v1/prospects", json={"name": "Ana"}, headers={"Idempotency-Key": "k2"}
        ).status_code
        == 201
    )
    assert _count(db, Prospect) == 3


def test_the_same_key_with_another_body_or_path_is_a_422(admin_api: ApiClient, db: Session) -> None:
    key = {"Idempotency-Key": "abc"}
    prospect = admin_api.post("/api/v1/prospects", json={"name": "Ana"}, headers=key).get_json()
    other = admin_api.post("/api/v1/prospects", json={"name": "Bob"}, headers=key)
    assert "different request" in assert_problem(other, 422, "idempotency-key-reused")["detail"]
    on_notes = admin_api.post(f"/api/v1/prospects/{prospect['id']}/notes", json={"name": "Ana"}, headers=key)
    assert_problem(on_notes, 422, "idempotency-key-reused")
    assert _count(db, Prospect) == 1 and _count(db, Note) == 0


def test_keys_are_per_token(api_as: ClientFactory, db: Session) -> None:
    first, second = api_as(Role.ADMIN), api_as(Role.ADMIN)
    key = {"Idempotency-Key": "shared"}
    a = first.post("/api/v1/prospects", json={"name": "Ana"}, headers=key).get_json()
    b = second.post("/api/v1/prospects", json={"name": "Ana"}, headers=key).get_json()
    assert a["id"] != b["id"] and _count(db, Prospect) == 2


def test_a_failed_create_keeps_no_key(admin_api: ApiClient, db: Session) -> None:
    key = {"Idempotency-Key": "retry-me"}
    assert_problem(admin_api.post("/api/v1/prospects", json={"name": ""}, headers=key), 422)
    fixed = admin_api.post("/api/v1/prospects", json={"name": "Ana"}, headers=key)
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers
    assert _count(db, Prospect) == 1


def test_an_unusable_key_is_refused(admin_api: ApiClient, db: Session) -> None:
    for bad in ("", "x" * 256, "tab\there"):
        answer = admin_api.post("/api/v1/prospects", json={"name": "Ana"}, headers={"Idempotency-Key": bad})
        assert "Idempotency-Key" in assert_problem(answer, 422)["errors"]
    assert _count(db, Prospect) == 0


def test_concurrent_requests_with_the_same_key_make_one_record(
    app: Any, admin_api: ApiClient, db: Session
) -> None:
    """Eight clients send the same create with the same key at the same moment
    to a real threaded server: one prospect, eight identical answers."""
    attempts = 8
    barrier = threading.Barrier(attempts)
    answers: list[tuple[int, dict[str, Any], str | None]] = []
    lock = threading.Lock()
    with LiveServer(app) as server:

        def send() -> None:
            request = urllib.request.Request(
                f"{server.url}/api/v1/prospects",
                data=json.dumps({"name": "Raced", "company": "Race SRL"}).encode(),
                method="POST",
                headers={
                    "Authorization": f"Bearer {admin_api.token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": "race-1",
                },
            )
            barrier.wait(timeout=30)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    result = (
                        response.status,
                        json.load(response),
                        response.headers.get("Idempotent-Replayed"),
                    )
            except urllib.error.HTTPError as exc:
                result = (exc.code, json.load(exc), None)
            with lock:
                answers.append(result)

        threads = [threading.Thread(target=send) for _ in range(attempts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
    assert len(answers) == attempts
    assert {status for status, _, _ in answers} == {201}, answers
    assert len({body["id"] for _, body, _ in answers}) == 1
    assert sum(1 for _, _, replayed in answers if replayed == "true") == attempts - 1
    assert _count(db, Prospect) == 1
