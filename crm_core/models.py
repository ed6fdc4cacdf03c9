"""Every mapped class, gathered so Alembic (``migrations/env.py``) and the test
fixtures see one metadata. Services import models from their own aggregate's
``models.py``; this module only collects them."""

from crm_core.accounts.models import Account
from crm_core.activities.models import Activity, activity_contacts
from crm_core.api_tokens.models import ApiToken, IdempotentRequest
from crm_core.contacts.models import Contact
from crm_core.db import Base
from crm_core.events.models import OutboxEvent
from crm_core.forms.models import FormField, WebForm
from crm_core.lists.models import OfferStatus, Priority, Source, Status, StatusKind
from crm_core.notes.models import Note
from crm_core.notifications.models import FormMailOptions, NotificationPreference, OutboxMail, TaskReminder
from crm_core.offers.models import Offer, OfferLine
from crm_core.products.models import Product
from crm_core.prospects.models import Prospect, ProspectChange, SavedFilter
from crm_core.reports.models import OwnerTally, SourceTally
from crm_core.tasks.models import Task, TaskTemplate
from crm_core.transfer.models import Export, Import, ImportMapping, ImportRowError
from crm_core.users.models import Role, User, UserSession
from crm_core.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "Account",
    "Activity",
    "ApiToken",
    "Base",
    "Contact",
    "Export",
    "FormField",
    "FormMailOptions",
    "IdempotentRequest",
    "Import",
    "ImportMapping",
    "ImportRowError",
    "Note",
    "NotificationPreference",
    "Offer",
    "OfferLine",
    "OfferStatus",
    "OutboxEvent",
    "OutboxMail",
    "OwnerTally",
    "Priority",
    "Product",
    "Prospect",
    "ProspectChange",
    "Role",
    "SavedFilter",
    "Source",
    "SourceTally",
    "Status",
    "StatusKind",
    "Task",
    "TaskReminder",
    "TaskTemplate",
    "User",
    "UserSession",
    "WebForm",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "activity_contacts",
]
