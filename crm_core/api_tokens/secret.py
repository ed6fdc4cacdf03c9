"""What a personal API token looks like: ``lcp_`` + 30 random base62 characters
+ a 6-character base62 CRC32 of them (GitHub's token layout), 40 in all.

The prefix makes a leaked token easy to spot (secret scanners, logs, a paste),
and the checksum lets anyone — a scanner, or the API before it touches the
database — tell a real token from a typo or a random string without any
lookup. Only a SHA-256 digest of the whole token is stored: the secret has
~178 bits of entropy, so a fast hash is enough (a slow password hash such as
argon2 is for guessable secrets, and would cost every API call tens of ms)."""

from __future__ import annotations

import hashlib
import secrets
import zlib

PREFIX = "lcp_"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_LENGTH = 30
CHECKSUM_LENGTH = 6
TOKEN_LENGTH = len(PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH
# How much of a token the list of tokens shows, so its owner can tell them apart.
HINT_LENGTH = len(PREFIX) + 6


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits)).rjust(width, BASE62[0])


def checksum(random_part: str) -> str:
    return _base62(zlib.crc32(random_part.encode("ascii")), CHECKSUM_LENGTH)


def new_secret() -> str:
    random_part = "".join(secrets.choice(BASE62) for _ in range(RANDOM_LENGTH))
    return PREFIX + random_part + checksum(random_part)


def is_well_formed(token: str) -> bool:
    """Prefix, length, alphabet and checksum right: worth looking up."""
    if len(token) != TOKEN_LENGTH or not token.startswith(PREFIX):
        return False
    body = token[len(PREFIX) :]
    if any(ch not in BASE62 for ch in body):
        return False
    random_part, check = body[:RANDOM_LENGTH], body[RANDOM_LENGTH:]
    return secrets.compare_digest(checksum(random_part), check)


def digest(token: str) -> str:
    """What the database keeps: the SHA-256 of the token, hex."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def hint(token: str) -> str:
    return token[:HINT_LENGTH] + "…"
