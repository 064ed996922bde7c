"""Per-organization quotas (set by the operator on the organization) and what it uses of them."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from littlepbx.errors import QuotaExceeded, TooManyRequests
from littlepbx.kinds import Dids, Extensions
from littlepbx.models import ApplyRun, utcnow
from littlepbx.tenancy import OrgScope

# Where an organization's uploaded audio lives under DATA_DIR: <area>/<org code>/... (kinds/audio.py)
AUDIO_AREAS = ("moh", "prompts")
MB = 1024 * 1024


def storage_used(data_dir: str, code: str) -> int:
    """Bytes of the organization's audio files (music on hold, prompts, recorded calls, its phones'
    recordings waiting to be used)."""
    from littlepbx.services import call_recordings, phone_recordings
    total = call_recordings.bytes_used(data_dir, code) + phone_recordings.bytes_used(data_dir, code)
    for area in AUDIO_AREAS:
        root = Path(data_dir) / area / code
        if root.is_dir():
            total += sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    return total


def require_storage(scope: OrgScope, data_dir: str, adding: int, field: str = "file") -> None:
    """Refuse ``adding`` bytes that would take the organization past its storage quota."""
    limit = scope.org.max_storage_mb * MB
    used = storage_used(data_dir, scope.org.code)
    if used + adding > limit:
        raise QuotaExceeded(f"the organization's audio storage quota is {scope.org.max_storage_mb} MB and "
                            f"{used / MB:.1f} MB are used; delete some audio or ask the operator for more",
                            {field: "storage quota exceeded"})


def require_apply_room(scope: OrgScope) -> None:
    """Refuse an Apply beyond the organization's Applies per minute."""
    recent = scope.count(ApplyRun, ApplyRun.requested_at > utcnow() - timedelta(minutes=1))
    if recent >= scope.org.max_applies_per_minute:
        raise TooManyRequests(f"at most {scope.org.max_applies_per_minute} Applies a minute; try again shortly")


def usage(scope: OrgScope, data_dir: str) -> dict:
    """What the organization uses of each quota."""
    org = scope.org
    return {
        "org": org.code,
        "storage_bytes": {"used": storage_used(data_dir, org.code), "limit": org.max_storage_mb * MB},
        "dids": {"used": scope.count(Dids.draft), "limit": org.max_dids},
        "extensions": {"used": scope.count(Extensions.draft), "limit": org.max_extensions},
        "applies_last_minute": {"used": scope.count(ApplyRun, ApplyRun.requested_at > utcnow() - timedelta(minutes=1)),
                                "limit": org.max_applies_per_minute},
        "audit_retention_days": org.audit_retention_days,
    }
