"""LittlePBX's own tables: one module per aggregate, all on one declarative Base.

The organizations' configuration (extensions, DIDs, trunks, music on hold, ...) is not here:
each kind declares its draft and live tables in littlepbx.kinds.
"""
from littlepbx.models.apply_run import ApplyRun
from littlepbx.models.audit import AuditEntry
from littlepbx.models.base import Base, utcnow
from littlepbx.models.organization import Organization
from littlepbx.models.token import ApiToken
from littlepbx.models.user import ROLE_OPERATOR, ROLE_ORG_ADMIN, User

__all__ = ["ApiToken", "ApplyRun", "AuditEntry", "Base", "Organization", "ROLE_OPERATOR", "ROLE_ORG_ADMIN",
           "User", "utcnow"]
