"""Dial rules (outbound routes): how a number a phone dials that is none of the organization's
own numbers becomes the number its upstream is sent (short numbers such as 411 or 116117, a
trunk prefix replaced by the country code, a prefix removed), and whether it is a call abroad,
which only extensions allowed to call abroad may make."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import DialRuleConfig

# Digits, X (any digit), N (2-9), Z (1-9), and a final "." for one or more digits more.
PATTERN = r"^[0-9XNZ]{1,20}\.?$"


@register
class DialRules(Kind):
    """A pattern of dialled numbers and what is sent out for them."""

    name = "dialrules"
    noun = "dial rule"
    label = "Dial rule"
    table = "dial_rules"
    schema_name = "DialRule"
    key = "pattern"
    fields = {
        "pattern": f.Text(label="Dialled", max_length=21, pattern=PATTERN, ident=True, required=True, editable=False,
                          example="0NXXXXXXXXX",
                          message="digits, X (any digit), N (2-9), Z (1-9), and a final . for any digits more",
                          help="the numbers a phone dials that this rule sends out; the organization's own numbers "
                               "and emergency numbers always come first"),
        "strip": f.Integer(label="Remove from the start (digits)", minimum=0, maximum=10, default=0),
        "prepend": f.Text(label="Then add in front", max_length=16, pattern=r"^\+?[0-9]{0,15}$", default="",
                          example="+49", message="digits, optionally after a +"),
        "international": f.Boolean(label="Call abroad", default=False,
                                   help="only extensions that may call abroad may dial it"),
        "note": f.text("Note", 60, default=""),
    }
    pbx_config = DialRuleConfig

    def check(self, scope, row) -> None:
        """What is left of the shortest number the pattern matches must be something."""
        if row.strip >= len(row.pattern.rstrip(".")) and not row.prepend and not row.pattern.endswith("."):
            raise f.fail("strip", "removes the whole number", "a rule cannot remove the whole number")

    def reset(self, scope) -> None:
        """No dial rules."""
        scope.delete_all(self.draft)
