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

from crm_core.notifications.smtp import SmtpConfig
from crm_core.offers.money import is_currency
from crm_core.webhooks.targets import TargetPolicy

WEAK_SECRETS = frozenset({"", "dev", "secret", "changeme", "change-me", "development"})
MIN_SECRET_LENGTH = 32

# What each entry point cannot run without. The worker signs webhooks with
# secrets encrypted under a key derived from SECRET_KEY, so it needs it too;
# the scripting commands need only the database.
WEB_NEEDS = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
WORKER_NEEDS = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
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
    # "<count>/<seconds>" of REST API requests per token (429 + Retry-After above it).
    api_rate_limit: str = "600/60"
    # Treat a submission without a signed render token as spam (the snippet and
    # the standalone page always send one).
    require_render_token: bool = True
    # The instance's time zone: what "today" and "overdue" mean for tasks, and
    # where weeks and months start in reports. An IANA name.
    time_zone: str = "UTC"
    # The currency new offers and products start in (ISO 4217).
    default_currency: str = "EUR"
    # The seller on printed offers: company name, registration (tax id, trade
    # register no.), address, and how to reach it. Empty lines are left out.
    company_name: str = ""
    company_registration: str = ""
    company_address: str = ""
    company_contact: str = ""
    # One log line per accepted and per landed submission, for a person watching
    # the terminal (``leadcapture serve``); off in production, where the drain rate
    # would make it the biggest cost of logging.
    log_submissions: bool = False
    # Mail: "smtp://user:pass@host:587?starttls=1" or "smtps://user:pass@host:465";
    # empty keeps every mail in the admin's Outbox page instead of sending it.
    smtp_url: str = ""
    smtp_from: str = ""
    # Networks and host names webhooks may reach although they are not public
    # ("10.1.0.0/16, erp.internal"): on-premises receivers.
    webhook_allowed_targets: str = ""
    # Days dispatched events stay in the outbox, and delivery logs and sent mails are kept.
    event_retention_days: int = 7
    delivery_log_retention_days: int = 30
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
    def smtp(self) -> SmtpConfig | None:
        """Where mail goes, or ``None``: mails are held for the Outbox page."""
        return SmtpConfig.parse(self.smtp_url, self.smtp_from)

    @property
    def webhook_targets(self) -> TargetPolicy:
        return TargetPolicy.parse(self.webhook_allowed_targets)

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
                api_rate_limit=env.get("API_RATE_LIMIT", "600/60"),
                require_render_token=env.get("REQUIRE_RENDER_TOKEN", "1") == "1",
                time_zone=env.get("TIME_ZONE", "UTC"),
                default_currency=env.get("DEFAULT_CURRENCY", "EUR").upper(),
                company_name=env.get("COMPANY_NAME", "").strip(),
                company_registration=env.get("COMPANY_REGISTRATION", "").strip(),
                company_address=env.get("COMPANY_ADDRESS", "").strip(),
                company_contact=env.get("COMPANY_CONTACT", "").strip(),
                log_submissions=env.get("LOG_SUBMISSIONS", "") == "1",
                smtp_url=env.get("SMTP_URL", ""),
                smtp_from=env.get("SMTP_FROM", ""),
                webhook_allowed_targets=env.get("WEBHOOK_ALLOWED_TARGETS", ""),
                event_retention_days=int(env.get("EVENT_RETENTION_DAYS", 7)),
                delivery_log_retention_days=int(env.get("DELIVERY_LOG_RETENTION_DAYS", 30)),
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

    def environ(self) -> dict[str, str]:
        """These settings as the variables ``from_env`` reads: how ``leadcapture
        serve`` hands its one ``Settings`` to the processes it starts (web, worker),
        which read them as production's do."""
        return {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "SECRET_KEY": self.secret_key,
            "PUBLIC_BASE_URL": self.public_base_url,
            "LEADCAPTURE_ENV": self.environment,
            "MAX_BODY_BYTES": str(self.max_body_bytes),
            "TRUSTED_PROXY_HOPS": str(self.trusted_proxy_hops),
            "REDIS_TIMEOUT": str(self.redis_timeout),
            "DEMO_PAGES": "1" if self.demo_pages else "0",
            "RATE_LIMIT_PER_IP": self.rate_limit_ip,
            "RATE_LIMIT_PER_FORM": self.rate_limit_form,
            "RATE_LIMIT_GLOBAL": self.rate_limit_global,
            "SPAM_MIN_SECONDS": str(self.spam_min_seconds),
            "REQUIRE_RENDER_TOKEN": "1" if self.require_render_token else "0",
            "TIME_ZONE": self.time_zone,
            "DEFAULT_CURRENCY": self.default_currency,
            "LOG_SUBMISSIONS": "1" if self.log_submissions else "0",
            "SMTP_URL": self.smtp_url,
            "SMTP_FROM": self.smtp_from,
            "WEBHOOK_ALLOWED_TARGETS": self.webhook_allowed_targets,
            "EVENT_RETENTION_DAYS": str(self.event_retention_days),
            "DELIVERY_LOG_RETENTION_DAYS": str(self.delivery_log_retention_days),
            "COMPANY_NAME": self.company_name,
            "COMPANY_REGISTRATION": self.company_registration,
            "COMPANY_ADDRESS": self.company_address,
            "COMPANY_CONTACT": self.company_contact,
            "API_RATE_LIMIT": self.api_rate_limit,
            "UPLOAD_DIR": self.upload_dir,
            "IMPORT_MAX_MB": str(self.import_max_mb),
            "IMPORT_MAX_ROWS": str(self.import_max_rows),
            "IMPORT_FILE_DAYS": str(self.import_file_days),
            "EXPORT_FILE_HOURS": str(self.export_file_hours),
        }

    def rate_limits(self) -> tuple[tuple[str, str], ...]:
        return (
            ("ip", self.rate_limit_ip),
            ("form", self.rate_limit_form),
            ("global", self.rate_limit_global),
        )

    @property
    def api_rate(self) -> tuple[int, int]:
        """(requests, seconds) a token may make per window."""
        count, _, window = self.api_rate_limit.partition("/")
        return int(count), int(window)

    def check(self) -> None:
        for scope, text in (*self.rate_limits(), ("API token", self.api_rate_limit)):
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
        try:
            TargetPolicy.parse(self.webhook_allowed_targets)
            SmtpConfig.parse(self.smtp_url, self.smtp_from)
        except ValueError as exc:
            raise SettingsError(str(exc)) from exc
        if self.event_retention_days < 1 or self.delivery_log_retention_days < 1:
            raise SettingsError("EVENT_RETENTION_DAYS and DELIVERY_LOG_RETENTION_DAYS must be at least 1.")
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
