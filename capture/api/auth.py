"""Who calls the API: a personal token in ``Authorization: Bearer lcp_…``,
checked before any API view runs (so a route added without a decorator is
still protected), then the token's rate limit and its scope — ``read`` for
GET, ``write`` for anything else. The token acts as its user: views read
``api_user()`` and the domain's visibility rules do the rest. Routes kept to
some roles declare them with ``roles_required`` (kept on the view for the
tests that walk every route).

The session cookie is never read here: a browser signed in to the admin has
no power over the API, which is why the API needs no CSRF token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, g, request
from redis.exceptions import RedisError

from capture import redis_client
from capture.api import problems
from capture.api.rate_limit import count_request
from capture.api.unstorable import refuse_unstorable_text
from capture.database import db_session
from capture.instance import settings
from crm_core.api_tokens.models import READ, WRITE, ApiToken
from crm_core.api_tokens.services import TokenRefused, authenticate_token, touch
from crm_core.permissions import ALL_ROLES
from crm_core.users.models import Role, User

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Offer lines and long notes need more than a web form's 64 KB.
MAX_API_BODY = 1024 * 1024
_CHALLENGE = 'Bearer realm="leadcapture"'


def api_token() -> ApiToken:
    return g.api_token


def api_user() -> User:
    return g.api_token.user


def needed_scope(method: str) -> str:
    return READ if method in READ_METHODS else WRITE


def authenticate_request() -> Response | None:
    """``before_request`` of the API blueprint: a problem answer, or ``None`` to go on."""
    request.max_content_length = MAX_API_BODY
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return _unauthorized(
            "Send a personal API token: Authorization: Bearer lcp_… (see the admin's API tokens)."
        )
    session = db_session()
    try:
        token = authenticate_token(session, secret.strip())
    except TokenRefused as exc:
        return _unauthorized(str(exc))
    touch(session, token)
    # Ends this short transaction: a create then starts its own with its first write.
    session.commit()
    g.api_token = token
    refused = _over_rate_limit(token)
    if refused is not None:
        return refused
    scope = needed_scope(request.method)
    if not token.allows(scope):
        return problems.problem(
            403,
            f"This token may only read; {request.method} needs a token with the {scope} scope.",
            type_=problems.INSUFFICIENT_SCOPE,
            title="Insufficient scope",
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="insufficient_scope", scope="{scope}"'},
        )
    if request.method in BODY_METHODS and _has_body() and not _is_json(request.mimetype):
        return problems.problem(
            415, "Send the body as JSON (Content-Type: application/json).", type_=problems.UNSUPPORTED_MEDIA
        )
    return refuse_unstorable_text()


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def _unauthorized(detail: str) -> Response:
    return problems.problem(
        401,
        detail,
        type_=problems.UNAUTHORIZED,
        title="Invalid token",
        headers={"WWW-Authenticate": _CHALLENGE},
    )


def _over_rate_limit(token: ApiToken) -> Response | None:
    limit, window = settings().api_rate
    try:
        verdict = count_request(redis_client.redis(), token.id, limit, window)
    except RedisError:
        return problems.problem(
            503,
            "The API is unavailable for a moment (its rate limiter cannot be reached); retry shortly.",
            type_=problems.UNAVAILABLE,
            headers={"Retry-After": "1"},
        )
    if verdict.allowed:
        return None
    return problems.problem(
        429,
        f"This token made more than {limit} requests in {window} seconds; retry after {verdict.retry_after} s.",
        type_=problems.RATE_LIMITED,
        title="Too many requests",
        headers={"Retry-After": str(verdict.retry_after)},
    )


def roles_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only users of ``roles`` (through their token); others get 403."""
    allowed = frozenset(roles)

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if api_user().role not in allowed:
                return problems.problem(
                    403,
                    f"Your role ({api_user().role.value}) may not use this; "
                    f"it is for {', '.join(sorted(r.value for r in allowed))}.",
                    type_=problems.FORBIDDEN,
                )
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


EVERYONE = frozenset(ALL_ROLES)
