"""Endpoint secrets encrypted at rest. The key is derived from SECRET_KEY
(HKDF-SHA256, its own ``info`` so it is never the key that signs sessions),
so a copy of the database alone cannot sign webhooks. The web app encrypts
(create, rotate); the worker decrypts to sign, so it needs SECRET_KEY too.
Changing SECRET_KEY makes the stored secrets unreadable: the admin page says
so, and rotating each endpoint's secret issues a readable one."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crm_core.errors import DomainError

_INFO = b"leadcapture webhook endpoint secrets v1"


class SecretUnreadable(DomainError):
    """The secret was encrypted under another SECRET_KEY."""


class SecretBox:
    def __init__(self, secret_key: str):
        if not secret_key:
            raise ValueError("webhook secrets need SECRET_KEY to be set")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret_key.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable(
                "This endpoint's secret was stored under another SECRET_KEY; rotate it to issue a new one."
            ) from exc
