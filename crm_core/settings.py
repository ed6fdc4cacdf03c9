"""All configuration in one typed place, read from the environment at start-up
by every entry point — the web app (gunicorn or ``leadcapture serve``), the
CLI and the worker — so a variable means the same everywhere and a missing or
unsafe one is refused in plain words before anything runs.

Plain data: no Flask, no RQ. The README's Configuration table lists every
variable read here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_core.offers.money import is_currency

WEAK_SECRETS = frozenset({"", "dev", "secret", "changeme", "change-me", "development"})
MIN_SECRET_LENGTH = 32

# What each entry point cannot run without. The worker signs nothing, so it
# does not need the secret key; the scripting commands need only the database.
WEB_NEEDS = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
WORKER_NEEDS = ("DATABASE_URL", "REDIS_URL")
DATABASE_NEEDS = ("DATABASE_URL",)


class SettingsError(RuntimeError):
    """Configuration that would make the service unsafe or unable to run."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str = ""
    secret_key: str = ""
    public_base_url: str = ""
    environment: str = "production"
    max_body_bytes: int = 64 * 1024
    trusted_proxy_hops: int = 0
    redis_timeout: float = 1.0
    # Serve /demo/<key>, a sample host page for a form (``leadcapture serve`` turns it on).
    demo_pages: bool = False
    # "<count>/<seconds>" of accepted submissions per client IP, per form, and in all.
    rate_limit_ip: str = "20/60"
    rate_limit_form: str = "600/60"
    rate_limit_global: str = "6000/60"
    spam_min_seconds: float = 3.0
    # Treat a submission without a signed render token as spam (the snippet and
    # the standalone page always send one).
    require_render_token: bool = True
    # The instance's time zone: what "today" and "overdue" mean for tasks, and
    # where weeks and months start in reports. An IANA name.
    time_zone: str = "UTC"
    # The currency new offers and products start in (ISO 4217).
    default_currency: str = "EUR"
    # Uploaded import files and prepared exports (shared by the web app and the workers);
    # "" is a directory in the system's temporary directory.
    upload_dir: str = ""
    import_max_mb: int = 50
    import_max_rows: int = 1_000_000
    # How long an uploaded file is kept (resuming, the failed rows to fix) and an export.
    import_file_days: int = 30
    export_file_hours: int = 24
    # Which entry point these settings are for (see WEB_NEEDS, WORKER_NEEDS).
    needs: tuple[str, ...] = WEB_NEEDS

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, needs: tuple[str, ...] = WEB_NEEDS
    ) -> Settings:
        env = os.environ if environ is None else environ
        missing = [name for name in needs if not env.get(name)]
        if missing:
            raise SettingsError(
                f"Missing required setting(s): {', '.join(missing)}. "
                "Set them in the environment (see README: Configuration), or run `leadcapture serve` "
                "for the embedded default."
            )
        try:
            settings = cls(
                database_url=env.get("DATABASE_URL", ""),
                redis_url=env.get("REDIS_URL", ""),
                secret_key=env.get("SECRET_KEY", ""),
                public_base_url=env.get("PUBLIC_BASE_URL", "").rstrip("/"),
                environment=env.get("LEADCAPTURE_ENV", "production"),
                max_body_bytes=int(env.get("MAX_BODY_BYTES", 64 * 1024)),
                trusted_proxy_hops=int(env.get("TRUSTED_PROXY_HOPS", 0)),
                redis_timeout=float(env.get("REDIS_TIMEOUT", 1.0)),
                demo_pages=env.get("DEMO_PAGES", "") == "1",
                rate_limit_ip=env.get("RATE_LIMIT_PER_IP", "20/60"),
                rate_limit_form=env.get("RATE_LIMIT_PER_FORM", "600/60"),
                rate_limit_global=env.get("RATE_LIMIT_GLOBAL", "6000/60"),
                spam_min_seconds=float(env.get("SPAM_MIN_SECONDS", 3.0)),
                require_render_token=env.get("REQUIRE_RENDER_TOKEN", "1") == "1",
                time_zone=env.get("TIME_ZONE", "UTC"),
                default_currency=env.get("DEFAULT_CURRENCY", "EUR").upper(),
                upload_dir=env.get("UPLOAD_DIR", ""),
                import_max_mb=int(env.get("IMPORT_MAX_MB", 50)),
                import_max_rows=int(env.get("IMPORT_MAX_ROWS", 1_000_000)),
                import_file_days=int(env.get("IMPORT_FILE_DAYS", 30)),
                export_file_hours=int(env.get("EXPORT_FILE_HOURS", 24)),
                needs=needs,
            )
        except ValueError as exc:
            raise SettingsError(f"A numeric setting is not a number: {exc}.") from exc
        settings.check()
        return settings

    def rate_limits(self) -> tuple[tuple[str, str], ...]:
        return (
            ("ip", self.rate_limit_ip),
            ("form", self.rate_limit_form),
            ("global", self.rate_limit_global),
        )

    def check(self) -> None:
        for scope, text in self.rate_limits():
            count, _, window = text.partition("/")
            if not (count.isdigit() and window.isdigit() and int(window) > 0):
                raise SettingsError(
                    f"Rate limit per {scope} must look like 20/60 (count/seconds), not {text!r}."
                )
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(
                f"TIME_ZONE must be a time zone name such as Europe/Bucharest, not {self.time_zone!r}."
            ) from exc
        if not is_currency(self.default_currency):
            raise SettingsError(
                f"DEFAULT_CURRENCY must be an ISO 4217 code such as RON or EUR, not {self.default_currency!r}."
            )
        for name, value in (
            ("IMPORT_MAX_MB", self.import_max_mb),
            ("IMPORT_MAX_ROWS", self.import_max_rows),
            ("IMPORT_FILE_DAYS", self.import_file_days),
            ("EXPORT_FILE_HOURS", self.export_file_hours),
        ):
            if value < 1:
                raise SettingsError(f"{name} must be a whole number of at least 1, not {value}.")
        if self.environment not in ("production", "development", "test"):
            raise SettingsError("LEADCAPTURE_ENV must be production, development or test.")
        if (
            "SECRET_KEY" in self.needs
            and self.is_production
            and (self.secret_key.lower() in WEAK_SECRETS or len(self.secret_key) < MIN_SECRET_LENGTH)
        ):
            raise SettingsError(
                f"SECRET_KEY is missing, a default or shorter than {MIN_SECRET_LENGTH} characters; "
                'generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
