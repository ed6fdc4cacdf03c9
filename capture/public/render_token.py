"""Signed render timestamps: the form carries a token issued when it was shown;
a submission that comes back faster than a person could type, more than a day
later, or with a forged token is treated as spam."""

from __future__ import annotations

import time

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

MAX_AGE = 24 * 3600


class RenderTokens:
    def __init__(self, secret_key: str, min_seconds: float):
        self._signer = TimestampSigner(secret_key, salt="leadcapture.render")
        self._min_seconds = min_seconds

    def issue(self, form_key: str) -> str:
        return self._signer.sign(form_key).decode()

    def is_plausible(self, form_key: str, token: str) -> bool:
        try:
            value, signed_at = self._signer.unsign(token, max_age=MAX_AGE, return_timestamp=True)
        except (BadSignature, SignatureExpired):
            return False
        if value.decode() != form_key:
            return False
        return time.time() - signed_at.timestamp() >= self._min_seconds
