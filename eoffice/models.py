"""Import every model module so that ``Base.metadata`` is complete (migrations, tests)."""

from eoffice.admin.stored import AgencyFile
from eoffice.audit.models import AuditEntry, AuditHead
from eoffice.auth.models import Agency, ApiToken, Department, LoginAttempt, User, UserRole
from eoffice.db import Base
from eoffice.deployment_secret import DeploymentSetting
from eoffice.documents.models import (
    Counter,
    Document,
    DocumentAccess,
    DocumentEvent,
    DocumentFile,
    ReadMark,
    SearchOutbox,
    StoredFile,
)
from eoffice.signature_checks import SignatureCheck

__all__ = ["Agency", "AgencyFile", "ApiToken", "AuditEntry", "AuditHead", "Base", "Counter",
           "Department", "DeploymentSetting", "Document", "DocumentAccess", "DocumentEvent",
           "DocumentFile", "LoginAttempt", "ReadMark", "SearchOutbox", "SignatureCheck",
           "StoredFile", "User", "UserRole"]

from eoffice.features import import_models  # noqa: E402  (feature models join the metadata)

import_models()
