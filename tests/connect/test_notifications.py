"""Notification mails through a real SMTP server (aiosmtpd): who gets what,
in which language, with links back into the admin, a text and an HTML part,
visitor text escaped in the HTML; the autoresponder's rules; reminders once
per due moment; nothing lost while the SMTP server is down; STARTTLS with
authentication."""

from __future__ import annotations

import datetime as dt
import ssl
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from redis import Redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from capture.embedded_redis import free_port
from crm_core.clock import now
from crm_core.db import transaction
from crm_core.models import Role
from crm_core.notifications.models import MailState, NotificationPreference, OutboxMail
from crm_core.notifications.services import save_form_options
from crm_core.tasks.services import create_task, update_task
from tests.connect.conftest import SmtpServer, SmtpSink
from tests.connect.factories import add_user
from worker.enqueueing import enqueue_mails
from worker.sweep import sweep

FROM = "Leadcapture <leads@example.com>"
ORIGIN = {"Origin": "https://example.com", "Accept": "application/json"}


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def mails(factory: sessionmaker[Session]) -> list[OutboxMail]:
    with factory() as session:
        return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


@pytest.fixture
def smtp_worker(worker_outbound: Callable[..., Any], smtp_server: SmtpServer) -> SmtpSink:
    worker_outbound(smtp_url=smtp_server.url, smtp_from=FROM)
    return smtp_server.sink


def submit(client: Any, key: str, **values: str) -> None:
    response = client.post(f"/f/{key}", data={**values, "_lc_id": str(uuid.uuid4())}, headers=ORIGIN)
    assert response.status_code == 202, response.get_json()


def test_a_new_lead_mails_its_owner_in_their_language_with_visitor_text_escaped(
    client: Any,
    make_form: Callable[..., dict[str, Any]],
    session_factory: sessionmaker[Session],
    smtp_worker: SmtpSink,
    drain: Callable[[], int],
    pump: Callable[..., None],
) -> None:
    owner = add_user(session_factory, "ioana@example.ro", role=Role.SALES, language="ro", name="Ioana")
    form = make_form(owner_id=owner.id)
    submit(
        client, form["key"], name="Ana <script>alert(1)</script>", email="ana@example.ro",
        description="Bună ziua,\n<img src=x onerror=alert(2)> vă rog sunați-mă",
    )  # fmt: skip
    assert drain() == 1
    pump(lambda: len(smtp_worker.messages) == 1)
    [message] = smtp_worker.messages
    assert message["To"] == "ioana@example.ro" and message["From"] == FROM
    assert message["Subject"] == "Prospect nou: [Web] Ana <script>alert(1)</script>"
    assert message["Content-Language"] == "ro"
    text, html = parts(message)
    with session_factory() as session:
        from crm_core.models import Prospect

        prospect_id = session.scalar(select(Prospect.id))
    link = f"https://leads.example.com/admin/prospects/{prospect_id}"
    assert link in text and f'href="{link}"' in html
    assert "Un prospect nou a venit prin formularul „Contact us”." in text
    assert "<img src=x onerror=alert(2)>" in text  # plain text, as typed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html and "<img" not in html
    assert "https://leads.example.com/admin/notifications" in text
    [mail] = mails(session_factory)
    assert mail.state == MailState.SENT and mail.attempts == 1


def test_the_owner_can_turn_it_off_and_the_form_can_copy_others(
    client: Any,
    make_form: Callable[..., dict[str, Any]],
    session_factory: sessionmaker[Session],
    smtp_worker: SmtpSink,
    drain: Callable[[], int],
    pump: Callable[..., None],
) -> None:
    owner = add_user(session_factory, "sam@example.com", role=Role.SALES)
    with transaction(session_factory) as session:
        session.add(NotificationPreference(user_id=owner.id, new_prospect=False, task_assigned=True,
                                           task_reminder=True, webhook_disabled=True, reminder_minutes=60))  # fmt: skip
    form = make_form(owner_id=owner.id, language="lt")
    with transaction(session_factory) as session:
        save_form_options(
            session,
            form["form_id"],
            {"notify_owner": True, "extra_recipients": "boss@example.lt, desk@example.lt"},
        )
    submit(client, form["key"], name="Jonas", email="jonas@example.lt")
    drain()
    pump(lambda: len(smtp_worker.messages) == 2)
    assert sorted(m["To"] for m in smtp_worker.messages) == ["boss@example.lt", "desk@example.lt"]
    assert all(m["Subject"] == "Naujas potencialus klientas: [Web] Jonas" for m in smtp_worker.messages)


def test_the_autoresponder_answers_in_the_form_language_only_with_an_address_and_a_few_times_a_day(
    client: Any,
    make_form: Callable[..., dict[str, Any]],
    session_factory: sessionmaker[Session],
    smtp_worker: SmtpSink,
    drain: Callable[[], int],
    pump: Callable[..., None],
) -> None:
    fields = [{"name": "name", "label": "Nom", "required": True}, {"name": "email", "label": "E-mail"}]
    form = make_form(language="fr", fields=fields)
    with transaction(session_factory) as session:
        save_form_options(session, form["form_id"], {"notify_owner": False, "autoresponder": True})
    for _ in range(4):
        submit(client, form["key"], name="Élodie <b>", email="elodie@example.fr")
    submit(client, form["key"], name="Sans adresse")
    assert drain() == 5
    pump(lambda: len([m for m in mails(session_factory) if m.state == MailState.SENT]) == 3)
    assert [m["To"] for m in smtp_worker.messages] == ["elodie@example.fr"] * 3
    message = smtp_worker.messages[0]
    assert message["Subject"] == "Nous avons bien reçu votre message"
    text, html = parts(message)
    assert "Merci, Élodie <b>. Nous avons bien reçu votre message" in text
    assert "Merci, Élodie &lt;b&gt;." in html
    assert "admin" not in text  # the visitor gets no link into the admin


def test_a_task_given_to_someone_else_mails_them(
    session_factory: sessionmaker[Session], smtp_worker: SmtpSink, pump: Callable[..., None]
) -> None:
    boss = add_user(session_factory, "boss@example.com", name="Rūta")
    worker_user = add_user(session_factory, "tomas@example.lt", role=Role.SALES, language="lt")
    with transaction(session_factory) as session:
        create_task(
            session,
            boss,
            None,
            {"name": "Paskambinti", "owner_id": str(worker_user.id), "due_date": "2031-05-04"},
        )
        create_task(session, boss, None, {"name": "My own"})  # to themselves: no mail
    pump(lambda: len(smtp_worker.messages) == 1)
    [message] = smtp_worker.messages
    assert message["To"] == "tomas@example.lt" and message["Subject"] == "Jums skirta užduotis: Paskambinti"
    text, _ = parts(message)
    assert "Rūta jums priskyrė užduotį." in text and "Terminas: 2031-05-04" in text
    assert "https://leads.example.com/admin/tasks" in text


def test_a_reminder_goes_once_per_due_moment(
    session_factory: sessionmaker[Session], smtp_worker: SmtpSink, redis: Redis, pump: Callable[..., None]
) -> None:
    sam = add_user(session_factory, "sam@example.com", role=Role.SALES)
    soon = now() + dt.timedelta(minutes=30)
    later = now() + dt.timedelta(hours=5)
    with transaction(session_factory) as session:
        task = create_task(session, sam, None, {"name": "Send the offer", "due_date": soon.date().isoformat(),
                                                "due_time": soon.strftime("%H:%M")})  # fmt: skip
        create_task(session, sam, None, {"name": "Not yet", "due_date": later.date().isoformat(),
                                         "due_time": later.strftime("%H:%M")})  # fmt: skip
    assert sweep(redis)["reminders"] == 1
    assert sweep(redis)["reminders"] == 0
    pump(lambda: len(smtp_worker.messages) == 1)
    assert smtp_worker.messages[0]["Subject"] == f"Reminder: Send the offer is due {soon:%Y-%m-%d %H:%M}"
    moved = now() + dt.timedelta(minutes=45)
    with transaction(session_factory) as session:
        update_task(session, sam, task.id, {"name": "Send the offer", "due_date": moved.date().isoformat(),
                                            "due_time": moved.strftime("%H:%M"), "owner_id": str(sam.id)})  # fmt: skip
    assert sweep(redis)["reminders"] == 1
    pump(lambda: len(smtp_worker.messages) == 2)


def test_mails_wait_while_the_smtp_server_is_down(
    session_factory: sessionmaker[Session],
    smtp_server: SmtpServer,
    smtp_worker: SmtpSink,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    boss = add_user(session_factory, "boss@example.com")
    sam = add_user(session_factory, "sam@example.com", role=Role.SALES)
    smtp_server.stop()
    with transaction(session_factory) as session:
        create_task(session, boss, None, {"name": "Call Ana", "owner_id": str(sam.id)})
    pump(lambda: mails(session_factory)[0].attempts == 1 if mails(session_factory) else False)
    [mail] = mails(session_factory)
    assert mail.state == MailState.QUEUED and "Connection refused" in mail.error
    assert mail.next_attempt_at is not None and mail.next_attempt_at > now() + dt.timedelta(seconds=50)
    smtp_server.start()
    # Its retry is due in a minute: bring it forward, as RQ's scheduler would do then.
    with transaction(session_factory) as session:
        session.execute(update(OutboxMail).values(next_attempt_at=now()))
    enqueue_mails(redis, [(mail.id, 1)])
    pump(lambda: len(smtp_server.sink.messages) == 1)
    assert mails(session_factory)[0].state == MailState.SENT and mails(session_factory)[0].attempts == 2


def test_without_smtp_mails_are_held_for_the_outbox(
    session_factory: sessionmaker[Session], worker_outbound: Callable[..., Any], pump: Callable[..., None]
) -> None:
    boss = add_user(session_factory, "boss@example.com")
    sam = add_user(session_factory, "sam@example.com", role=Role.SALES, language="fr")
    with transaction(session_factory) as session:
        create_task(session, boss, None, {"name": "Rappeler", "owner_id": str(sam.id)})
    pump(lambda: len(mails(session_factory)) == 1)
    [mail] = mails(session_factory)
    assert mail.state == MailState.HELD and mail.subject == "Tâche pour vous : Rappeler"
    assert "SMTP_URL" in mail.error


# --- STARTTLS with authentication ------------------------------------------------


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
        .not_valid_after(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_smtp(tmp_path: Path) -> Iterator[tuple[SmtpSink, int, Path]]:
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sink = SmtpSink()

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = auth_data.login == b"ana@example.com" and auth_data.password == b"p:ss w0rd"
        return AuthResult(success=ok, handled=False)

    port = free_port()
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        authenticator=authenticator, auth_required=True,
    )  # fmt: skip
    controller.start()
    yield sink, port, cert
    controller.stop()


def test_starttls_and_login(
    session_factory: sessionmaker[Session],
    worker_outbound: Callable[..., Any],
    tls_smtp: tuple[SmtpSink, int, Path],
    pump: Callable[..., None],
) -> None:
    sink, port, cert = tls_smtp
    worker_outbound(
        smtp_url=f"smtp://ana%40example.com:p%3Ass%20w0rd@127.0.0.1:{port}?starttls=1&cafile={cert}",
        smtp_from=FROM,
    )
    boss = add_user(session_factory, "boss@example.com")
    sam = add_user(session_factory, "sam@example.com", role=Role.SALES)
    with transaction(session_factory) as session:
        create_task(session, boss, None, {"name": "Over TLS", "owner_id": str(sam.id)})
    pump(lambda: len(sink.messages) == 1)
    assert sink.messages[0]["Subject"] == "Task for you: Over TLS"
