"""Sending one mail through the SMTP server ``SMTP_URL`` names:
``smtp://user:pass@host:587?starttls=1`` (STARTTLS), ``smtps://…:465``
(TLS from the first byte) or ``smtp://host:25`` (a trusted relay, plain).
``cafile=/path.pem`` trusts a private CA; user and password are URL-encoded.
Errors are sorted into "try again later" and "will never work"."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT = 30.0


class MailRefused(Exception):
    """The server refused this mail for good (a 5xx answer): retrying would not help."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: str  # "ssl", "starttls" or "none"
    username: str
    password: str
    sender: str
    cafile: str | None = None

    @classmethod
    def parse(cls, url: str, sender: str) -> SmtpConfig | None:
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:587?starttls=1 or smtps://…")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.scheme == "smtps":
            tls = "ssl"
        elif query.get("starttls", "0") in ("1", "true", "yes"):
            tls = "starttls"
        else:
            tls = "none"
        name, address = parseaddr(sender)
        if not sender or "@" not in address:
            raise ValueError('SMTP_FROM must be the sender address, e.g. "Leadcapture <leads@example.com>".')
        try:
            port = parts.port or (465 if tls == "ssl" else 587 if tls == "starttls" else 25)
        except ValueError as exc:
            raise ValueError("SMTP_URL has an invalid port.") from exc
        return cls(
            host=parts.hostname,
            port=port,
            tls=tls,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            sender=formataddr((name, address)),
            cafile=query.get("cafile"),
        )

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)


def build_message(
    sender: str, recipient: str, subject: str, text: str, html: str, language: str, domain: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(addr_spec=recipient)
    # One line, whatever a visitor typed into the name that ends up in it.
    message["Subject"] = " ".join(subject.split())
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language  # after the parts: set_content clears Content-* headers
    return message


def send(config: SmtpConfig, message: EmailMessage) -> None:
    """Sends or raises: ``MailRefused`` for a permanent refusal, anything
    else (``OSError``, ``smtplib.SMTPException``) is worth another try."""
    client: smtplib.SMTP
    if config.tls == "ssl":
        client = smtplib.SMTP_SSL(config.host, config.port, timeout=SMTP_TIMEOUT, context=config._context())
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT)
    try:
        if config.tls == "starttls":
            client.starttls(context=config._context())
        if config.username:
            client.login(config.username, config.password)
        client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            raise MailRefused(f"recipient refused: {exc.recipients}") from exc
        raise
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        if 500 <= exc.smtp_code < 600:
            raise MailRefused(f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}") from exc
        raise
    except smtplib.SMTPAuthenticationError as exc:
        # Wrong credentials are an operator's mistake to fix: keep trying until they are.
        raise smtplib.SMTPException(f"authentication failed: {exc.smtp_code}") from exc
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
