"""Standard Webhooks signatures (https://www.standardwebhooks.com): the
receiver recomputes ``base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}"))``
with the key inside its ``whsec_`` secret and compares it with the
``webhook-signature`` header (``v1,<signature>``, several separated by
spaces while a secret is being rotated). ``docs/webhook_receiver.py`` is the
receiver's side."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix, not a secret)
SECRET_BYTES = 24


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
        "Content-Type": "application/json",
    }


def verify(secret: str, message_id: str, timestamp: str, body: bytes, signature_header: str) -> bool:
    """True when one of the header's ``v1`` signatures matches (constant time)."""
    if not timestamp.isdigit():
        return False
    expected = sign(secret, message_id, int(timestamp), body).removeprefix("v1,")
    for candidate in signature_header.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False
