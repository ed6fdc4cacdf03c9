"""All mapped classes, imported here so Alembic and the services see one metadata."""

from crm_core.models.base import Base
from crm_core.models.forms import FormField, WebForm
from crm_core.models.lookups import Priority, Source, Status, StatusKind
from crm_core.models.prospect_history import ProspectChange
from crm_core.models.prospects import Prospect
from crm_core.models.saved_filters import SavedFilter
from crm_core.models.users import Role, User

__all__ = [
    "Base",
    "FormField",
    "Priority",
    "Prospect",
    "ProspectChange",
    "Role",
    "SavedFilter",
    "Source",
    "Status",
    "StatusKind",
    "User",
    "WebForm",
]
