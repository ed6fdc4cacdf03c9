"""The one "form saved" path: a committed change to a form reaches the cache
the public endpoints read; a rolled-back one does not; a Redis that cannot be
reached does not undo the saved change and says so."""

from __future__ import annotations

import json

import pytest
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from capture.embedded_redis import free_port
from capture.public.form_cache import PUBLISH_FAILED, publish_on_commit
from crm_core.db import make_engine, make_session_factory, transaction
from crm_core.forms.queries import form_config, get_form
from crm_core.forms.services import create_form, delete_form, set_form_active, update_form
from tests.conftest import form_config as sample_config


@pytest.fixture
def publishing_factory(database_url: str, redis: Redis, session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    publish_on_commit(factory, redis)
    yield factory
    engine.dispose()


def cached(redis: Redis, key: str) -> dict | None:  # type: ignore[type-arg]
    raw = redis.get(f"lc:form:{key}")
    return None if raw is None else json.loads(raw)


def test_create_update_deactivate_and_delete_are_published_on_commit(
    publishing_factory, redis: Redis
) -> None:  # type: ignore[no-untyped-def]
    with transaction(publishing_factory) as session:
        form = create_form(session, sample_config(name="First"))
        form_id, key = form.id, form.key
        assert cached(redis, key) is None, "nothing is published before the commit"
    assert cached(redis, key)["name"] == "First"

    with transaction(publishing_factory) as session:
        update_form(session, form_id, {**form_config(get_form(session, form_id)), "name": "Renamed"})
    assert cached(redis, key)["name"] == "Renamed"

    with transaction(publishing_factory) as session:
        set_form_active(session, form_id, False)
    assert cached(redis, key)["active"] is False

    with transaction(publishing_factory) as session:
        delete_form(session, form_id)
    assert redis.get(f"lc:form:{key}") == b"null"


def test_a_rolled_back_change_publishes_nothing(publishing_factory, redis: Redis) -> None:  # type: ignore[no-untyped-def]
    with transaction(publishing_factory) as session:
        form = create_form(session, sample_config(name="Kept"))
        form_id, key = form.id, form.key
    with pytest.raises(RuntimeError), transaction(publishing_factory) as session:
        update_form(session, form_id, {**form_config(get_form(session, form_id)), "name": "Never saved"})
        raise RuntimeError("the request failed after the change")
    assert cached(redis, key)["name"] == "Kept"
    # ... and the next, unrelated commit of a session does not publish the abandoned change.
    with transaction(publishing_factory) as session:
        session.info.get("lc_forms_changed") is None  # noqa: B015 (the marks were dropped)
    assert cached(redis, key)["name"] == "Kept"


def test_redis_down_keeps_the_saved_change_and_says_so(database_url: str, session_factory) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    unreachable = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    publish_on_commit(factory, unreachable)
    try:
        with factory() as session:
            form = create_form(session, sample_config(name="Saved anyway"))
            session.commit()
            assert session.info.get(PUBLISH_FAILED) is True
            form_id = form.id
        with factory() as session:
            assert get_form(session, form_id).name == "Saved anyway"
    finally:
        engine.dispose()
