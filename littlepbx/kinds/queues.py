"""Call queues: callers wait with the organization's music, hearing their position, while the
members' phones are offered each call by a strategy; members may have to log in from their phones.
A caller who waits too long, or finds the queue full, goes on to a destination."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.base import Kind
from littlepbx.kinds.musicclasses import music_class_field
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import QUEUE_LOGIN_PREFIX, QUEUE_STRATEGIES, QueueConfig

STRATEGY_LABELS = {"ringall": "All members at once", "rrmemory": "In turn (round robin)",
                   "leastrecent": "Whoever answered least recently", "fewestcalls": "Whoever took fewest calls",
                   "random": "At random"}
# Dialled from a member's phone: *45 then the queue's number logs it in, or out.
LOGIN_PREFIX = QUEUE_LOGIN_PREFIX

f.register_target(f.Target("queue", "queue:[0-9]{2,6}", "queues", "queue:", "a queue"))


@register
class Queues(Kind):
    """A queue callers wait in until a member answers."""

    name = "queues"
    noun = "queue"
    label = "Queue"
    table = "queues"
    schema_name = "Queue"
    key = "number"
    title_field = "name"
    dialable = True
    fields = {
        "number": f.extension_number(required=True, editable=False, example="500",
                                     help="dialled by the organization's phones; a destination as queue:<number>"),
        "name": f.text("Name", 60, default="", example="Support"),
        "members": f.DestinationList(label="Members", allowed=("extension",), default="", ref_phrase="has as members",
                                     example=["101", "102"], help="the extensions that answer its calls"),
        "login_required": f.Boolean(label="Members log in", default=False,
                                    help=f"members take calls only after dialling {LOGIN_PREFIX}<number> "
                                         "(and dial it again to log out)"),
        "strategy": f.Choice(label="Offer calls to", options=tuple((s, STRATEGY_LABELS[s]) for s in QUEUE_STRATEGIES),
                             default="ringall", column_length=16),
        "ring_seconds": f.Integer(label="Ring a member for (seconds)", minimum=5, maximum=120, default=15),
        "wrapup_seconds": f.Integer(label="Rest after a call (seconds)", minimum=0, maximum=600, default=0),
        "max_wait_seconds": f.Integer(label="Longest wait (seconds)", minimum=10, maximum=3600, default=300),
        "timeout_destination": f.Destination(label="After the longest wait", allowed=None, default="hangup",
                                             example="voicemail:101", ref_phrase="sends callers who waited too long to"),
        "max_callers": f.Integer(label="Most callers waiting", minimum=0, maximum=200, default=0,
                                 help="0: no limit"),
        "full_destination": f.Destination(label="When full", allowed=None, default="hangup", example="voicemail:101",
                                          ref_phrase="sends callers of a full queue to"),
        "announce_seconds": f.Integer(label="Tell the caller's position every (seconds)", minimum=0, maximum=600,
                                      default=60, help="0: never"),
        "music_class": music_class_field(),
        "record_calls": f.Boolean(label="Record its calls", default=False,
                                  help="every call through the queue, kept the organization's recording days"),
    }
    pbx_config = QueueConfig

    def check(self, scope, row) -> None:
        """Where a queue sends its callers may not be the queue again."""
        for name in ("timeout_destination", "full_destination"):
            if getattr(row, name) == f"queue:{row.number}":
                raise f.fail(name, "not the queue itself", "a queue cannot send its callers back to itself")

    def reset(self, scope) -> None:
        """No queues."""
        scope.delete_all(self.draft)

    def to_pbx(self, row, context: dict) -> QueueConfig:
        """The queue, its members as a tuple."""
        return QueueConfig(row.number, row.name, tuple(row.members.split()), row.login_required, row.strategy,
                           row.ring_seconds, row.wrapup_seconds, row.max_wait_seconds, row.timeout_destination,
                           row.max_callers, row.full_destination, row.announce_seconds, row.music_class,
                           row.record_calls)
