"""Every mapped class, gathered so Alembic (``migrations/env.py``) and the test
fixtures see one metadata. Services import models from their own aggregate's
``models.py``; this module only collects them."""

from crm_core.accounts.models import Account
from crm_core.activities.models import Activity, activity_contacts
from crm_core.contacts.models import Contact
from crm_core.db import Base
from crm_core.events.models import OutboxEvent
from crm_core.forms.models import FormField, WebForm
from crm_core.lists.models import OfferStatus, Priority, Source, Status, StatusKind
from crm_core.notes.models import Note
from crm_core.offers.models import Offer, OfferLine
from crm_core.products.models import Product
from crm_core.prospects.models import Prospect, ProspectChange, SavedFilter
from crm_core.tasks.models import Task, TaskTemplate
from crm_core.transfer.models import Export, Import, ImportMapping, ImportRowError
from crm_core.users.models import Role, User, UserSession

__all__ = [
    "Account",
    "Activity",
    "Base",
    "Contact",
    "Export",
    "FormField",
    "Import",
    "ImportMapping",
    "ImportRowError",
    "Note",
    "Offer",
    "OfferLine",
    "OfferStatus",
    "OutboxEvent",
    "Priority",
    "Product",
    "Prospect",
    "ProspectChange",
    "Role",
    "SavedFilter",
    "Source",
    "Status",
    "StatusKind",
    "Task",
    "TaskTemplate",
    "User",
    "UserSession",
    "WebForm",
    "activity_contacts",
]
