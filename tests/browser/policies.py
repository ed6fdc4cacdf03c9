"""The Content-Security-Policy host pages are served with in browser tests."""

from __future__ import annotations


def strict_csp(api: str, *extra: str) -> str:
    """The policy of a careful real site that embeds our form: scripts and fetches
    only from itself and ``api`` (our origin), styles only from itself (no
    'unsafe-inline'), Trusted Types enforced with no policy allowed, nothing else."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {api}",
            f"connect-src 'self' {api}",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'",
            *extra,
        )
    )
