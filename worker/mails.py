"""The mail job: claim a due mail, send it through SMTP, record the outcome
(sent, another try later, or failed for good). A mail queued while the
SMTP server is down just waits in the outbox table for its next try."""

from __future__ import annotations

import logging
import smtplib
from urllib.parse import urlsplit

from rq import get_current_job

from crm_core.db import transaction
from crm_core.notifications.services import claim_mail, record_failure, record_sent
from crm_core.notifications.smtp import MailRefused, build_message, send
from worker import outbound, runtime
from worker.enqueueing import enqueue_mails

log = logging.getLogger(__name__)


def send_mail(mail_id: int) -> str:
    context = outbound.current()
    if context.smtp is None:
        return "no SMTP server configured"
    factory = runtime.session_factory()
    with transaction(factory) as session:
        mail = claim_mail(session, mail_id)
        if mail is None:
            return "nothing to do"
        attempt = mail.attempts
        domain = urlsplit(context.mails.base_url).hostname or "leadcapture.invalid"
        message = build_message(
            context.smtp.sender, mail.recipient, mail.subject, mail.text, mail.html, mail.language, domain
        )
    try:
        send(context.smtp, message)
    except MailRefused as exc:
        error, permanent = str(exc), True
    except (smtplib.SMTPException, OSError) as exc:
        error, permanent = f"{type(exc).__name__}: {exc}", False
    else:
        with transaction(factory) as session:
            record_sent(session, mail_id)
        log.info("mail %s sent (attempt %d)", mail_id, attempt)
        return "sent"
    with transaction(factory) as session:
        retry_at = record_failure(session, mail_id, error, permanent)
    job = get_current_job()
    if retry_at is not None and job is not None:
        enqueue_mails(job.connection, [(mail_id, attempt)], at=retry_at)
    log.warning("mail %s attempt %d failed: %s", mail_id, attempt, error)
    return f"retry at {retry_at}" if retry_at else "failed"
