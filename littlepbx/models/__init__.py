"""The data model: one module per aggregate, all on one declarative Base."""
from littlepbx.models.apply_run import ApplyRun
from littlepbx.models.audit import AuditEntry
from littlepbx.models.base import Base, utcnow
from littlepbx.models.did import Did, LiveDid
from littlepbx.models.extension import Extension, LiveExtension
from littlepbx.models.moh import LiveMusicOnHold, MusicOnHold
from littlepbx.models.organization import Organization
from littlepbx.models.token import ApiToken
from littlepbx.models.trunk import TRUNK_DIRECTIONS, LiveTrunk, Trunk
from littlepbx.models.user import ROLE_OPERATOR, ROLE_ORG_ADMIN, User

# Each drafted aggregate as (draft class, live class): Apply copies the first to
# the second, Discard the second to the first, always for one organization.
DRAFTED = (
    (Extension, LiveExtension),
    (Did, LiveDid),
    (Trunk, LiveTrunk),
    (MusicOnHold, LiveMusicOnHold),
)

__all__ = [
    "Base", "utcnow", "Organization", "User", "ROLE_OPERATOR", "ROLE_ORG_ADMIN", "ApiToken",
    "Extension", "LiveExtension", "Did", "LiveDid", "Trunk", "LiveTrunk", "TRUNK_DIRECTIONS",
    "MusicOnHold", "LiveMusicOnHold", "ApplyRun", "AuditEntry", "DRAFTED",
]
