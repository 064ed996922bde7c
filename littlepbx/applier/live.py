"""Reading an organization's live configuration into the shape a PBX backend writes."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from littlepbx.models import LiveDid, LiveExtension, LiveMusicOnHold, LiveTrunk, Organization
from littlepbx.pbx_backends.base import DidConfig, ExtensionConfig, MohConfig, OrgPBXConfig, TrunkConfig


def moh_dir(data_dir: str, org_code: str) -> Path:
    """The directory holding every music-on-hold upload of one organization."""
    return Path(data_dir) / "moh" / org_code


def moh_path(data_dir: str, org_code: str, sha256: str) -> str:
    """Where the converted music-on-hold file with this digest is stored.

    Each upload has a directory of its own: a PBX plays every file of a class's
    directory, and the draft and the live configuration may name different uploads.
    """
    return str(moh_dir(data_dir, org_code) / sha256 / "hold.wav")


def load_live_config(session, org: Organization, data_dir: str) -> OrgPBXConfig:
    """The organization's live rows (read in the caller's transaction) as an OrgPBXConfig."""
    def rows(model, order):
        return session.scalars(select(model).where(model.org_id == org.id).order_by(order))
    extensions = tuple(
        ExtensionConfig(e.number, e.display_name, e.sip_password, e.ring_seconds, e.no_answer,
                        e.forward_to, e.voicemail_enabled, e.voicemail_pin, e.voicemail_email)
        for e in rows(LiveExtension, LiveExtension.number))
    dids = tuple(DidConfig(d.number, d.extension) for d in rows(LiveDid, LiveDid.number))
    trunks = tuple(
        TrunkConfig(t.direction, t.host, t.port, t.transport, t.username, t.password, t.register,
                    t.from_user, t.from_domain, tuple(t.source_addresses.split()))
        for t in rows(LiveTrunk, LiveTrunk.direction))
    moh_row = rows(LiveMusicOnHold, LiveMusicOnHold.org_id).first()
    moh = MohConfig(False, None)
    if moh_row is not None and moh_row.sha256:
        moh = MohConfig(moh_row.enabled, moh_path(data_dir, org.code, moh_row.sha256))
    return OrgPBXConfig(org.code, org.max_concurrent_calls, extensions, dids, trunks, moh)
