"""Blocked callers: outside numbers (exact, or every number that begins so) whose calls to the
organization's numbers are refused, or sent somewhere else (its voicemail, an announcement)."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import BlockedCallerConfig

MATCHES = (("exact", "This number"), ("prefix", "Every number beginning so"))


@register
class BlockedCallers(Kind):
    """A caller number (or prefix) and what happens to its calls."""

    name = "blocked_callers"
    noun = "blocked caller"
    label = "Blocked caller"
    table = "blocked_callers"
    schema_name = "BlockedCaller"
    key = "number"
    fields = {
        "number": f.PhoneNumber(label="Number or prefix", max_length=16, pattern=r"^\+?[0-9]{3,15}$", required=True,
                                editable=False, ident=True, example="+14155550123",
                                message="3 to 15 digits, optionally with +"),
        "match": f.Choice(label="Blocks", options=MATCHES, default="exact", column_length=8),
        "then_destination": f.Destination(label="Their calls go to", allowed=None, nullable=True, default=None,
                                          example="voicemail:100", ref_phrase="sends blocked callers to",
                                          help="empty: refused"),
        "note": f.text("Note", 100, default="", example="sales calls"),
    }
    pbx_config = BlockedCallerConfig

    def reset(self, scope) -> None:
        """No blocked callers."""
        scope.delete_all(self.draft)
