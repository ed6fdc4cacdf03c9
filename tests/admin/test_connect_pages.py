"""The admin pages of webhooks, the Outbox and notification settings: the
secret shown once and stored encrypted, plain-word refusals, escaping of
what others typed, the mail's HTML shown in a sandbox, redelivery queued."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from redis import Redis
from rq import Queue
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.models import Role, User
from crm_core.notifications.models import FormMailOptions, MailState, NotificationPreference, OutboxMail
from crm_core.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from crm_core.webhooks.secret_box import SecretBox
from worker.queues import OUTBOUND


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(
    admin: FlaskClient, session_factory: sessionmaker[Session], app: Any
) -> None:
    page = admin.post(
        "/admin/webhooks",
        data={"url": "https://93.184.216.34/hook", "description": "CRM <script>x</script>",
              "events": ["prospect.created", "task.assigned"], "active": "1"},
    )  # fmt: skip
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    with session_factory() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
    secret = SecretBox(app.config["LC_SETTINGS"].secret_key).open(endpoint.secret_encrypted)
    assert secret.startswith("whsec_") and secret in html
    assert endpoint.events == ["prospect.created", "task.assigned"] and endpoint.active
    listing = admin.get("/admin/webhooks").get_data(as_text=True)
    assert (
        secret not in listing
        and "CRM &lt;script&gt;x&lt;/script&gt;" in listing
        and "<script>x" not in listing
    )
    detail = admin.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert secret not in detail
    rotated = admin.post(f"/admin/webhooks/{endpoint.id}/secret").get_data(as_text=True)
    with session_factory() as session:
        stored = session.get(WebhookEndpoint, endpoint.id)
        assert stored is not None
        new = SecretBox(app.config["LC_SETTINGS"].secret_key).open(stored.secret_encrypted)
    assert new != secret and new in rotated


def test_internal_and_malformed_urls_are_refused_in_plain_words(
    admin: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    for url, message in [
        ("http://169.254.169.254/latest", "a cloud metadata address"),
        ("http://127.0.0.1:8080/hook", "a loopback address"),
        ("ftp://example.com/", "must start with https://"),
    ]:
        page = admin.post("/admin/webhooks", data={"url": url, "events": ["prospect.created"], "active": "1"})
        assert page.status_code == 400 and message in page.get_data(as_text=True), url
    page = admin.post("/admin/webhooks", data={"url": "https://93.184.216.34/", "active": "1"})
    assert page.status_code == 400 and "Choose at least one event." in page.get_data(as_text=True)
    with session_factory() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


def _endpoint_with_delivery(
    factory: sessionmaker[Session], app: Any, active: bool, state: DeliveryState
) -> tuple[int, int]:
    with transaction(factory) as session:
        endpoint = WebhookEndpoint(
            url="https://93.184.216.34/hook", events=["prospect.created"], active=active,
            secret_encrypted=SecretBox(app.config["LC_SETTINGS"].secret_key).seal("whsec_AAAA"),
            disabled_reason="" if active else "the endpoint answered 410 Gone",
        )  # fmt: skip
        session.add(endpoint)
        session.flush()
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id, event_id="evt_x", event_type="prospect.created", body="{}", state=state,
            attempts=3, last_error="",
        )  # fmt: skip
        session.add(delivery)
        session.flush()
        return endpoint.id, delivery.id


def test_redeliver_and_switching_back_on_queue_the_deliveries(
    admin: FlaskClient, session_factory: sessionmaker[Session], app: Any, redis: Redis
) -> None:
    endpoint_id, delivery_id = _endpoint_with_delivery(session_factory, app, True, DeliveryState.FAILED)
    assert admin.post(f"/admin/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver").status_code == 302
    with session_factory() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None and delivery.state == DeliveryState.PENDING
    assert Queue(OUTBOUND, connection=redis).job_ids == [f"whd-{delivery_id}-4"]

    off_id, waiting_id = _endpoint_with_delivery(session_factory, app, False, DeliveryState.PENDING)
    page = admin.post(
        f"/admin/webhooks/{off_id}",
        data={"url": "https://93.184.216.34/hook", "events": ["prospect.created"], "active": "1"},
    )
    assert page.status_code == 302
    assert f"whd-{waiting_id}-4" in Queue(OUTBOUND, connection=redis).job_ids
    with session_factory() as session:
        endpoint = session.get(WebhookEndpoint, off_id)
        assert endpoint is not None and endpoint.active and endpoint.disabled_reason == ""


def test_the_outbox_shows_mails_escaped_and_their_html_in_a_sandbox(
    admin: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        mail = OutboxMail(
            dedupe_key="t", kind="new_prospect", recipient="ana@example.com", language="ro",
            subject="Prospect nou: <script>alert(1)</script>", text="Text <b>as typed</b>",
            html="<p>&lt;b&gt;</p>", state=MailState.HELD, error="Not sent: no SMTP server is configured (SMTP_URL).",
        )  # fmt: skip
        session.add(mail)
        session.flush()
        mail_id = mail.id
    listing = admin.get("/admin/outbox").get_data(as_text=True)
    assert "Prospect nou: &lt;script&gt;alert(1)&lt;/script&gt;" in listing and "<script>alert" not in listing
    assert "no SMTP server" in listing
    assert admin.get("/admin/outbox?state=held").get_data(as_text=True).count("ana@example.com") == 1
    detail = admin.get(f"/admin/outbox/{mail_id}").get_data(as_text=True)
    assert "Text &lt;b&gt;as typed&lt;/b&gt;" in detail and f'src="/admin/outbox/{mail_id}/html"' in detail
    frame = admin.get(f"/admin/outbox/{mail_id}/html")
    assert frame.get_data(as_text=True) == "<p>&lt;b&gt;</p>"
    assert "sandbox" in frame.headers["Content-Security-Policy"]
    assert "default-src 'none'" in frame.headers["Content-Security-Policy"]
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_everyone_chooses_their_mails_and_language(
    as_role: Any, session_factory: sessionmaker[Session]
) -> None:
    sales = as_role(Role.SALES)
    page = sales.get("/admin/notifications").get_data(as_text=True)
    assert "a webhook endpoint is switched off" not in page  # an admin's concern
    response = sales.post(
        "/admin/notifications",
        data={"language": "lt", "task_assigned": "1", "reminder_minutes": "1440", "webhook_disabled": "1"},
    )
    assert response.status_code == 302
    with session_factory() as session:
        user = session.scalars(select(User).where(User.role == Role.SALES)).one()
        prefs = session.get(NotificationPreference, user.id)
        assert user.language == "lt"
        assert prefs is not None and (prefs.new_prospect, prefs.task_assigned, prefs.task_reminder) == (
            False,
            True,
            False,
        )
        assert prefs.reminder_minutes == 1440
    bad = sales.post("/admin/notifications", data={"language": "de", "reminder_minutes": "7"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Must be one of" in text and "Choose one of the offered reminder times." in text


def test_form_mail_options_refuse_bad_addresses(
    as_role: Any, make_form: Any, session_factory: sessionmaker[Session]
) -> None:
    marketing = as_role(Role.MARKETING)
    form_id = make_form()["form_id"]
    bad = marketing.post(
        f"/admin/forms/{form_id}/mails",
        data={"notify_owner": "1", "extra_recipients": "boss@example.com, <script>"},
    )
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "&lt;script&gt; is not an e-mail address." in text and "<script>" not in text
    ok = marketing.post(
        f"/admin/forms/{form_id}/mails",
        data={"extra_recipients": "boss@example.com; desk@example.com", "autoresponder": "1",
              "autoresponder_text": "Mulțumim!"},
    )  # fmt: skip
    assert ok.status_code == 302
    with session_factory() as session:
        options = session.get(FormMailOptions, form_id)
        assert options is not None and not options.notify_owner and options.autoresponder
        assert options.extra_recipients == ["boss@example.com", "desk@example.com"]
        assert options.autoresponder_text == "Mulțumim!"
