"""Apply run states and every allowed transition, in one table.

A run is requested (QUEUED), then the worker counts the organization's calls
(WAITING_FOR_CALLS, repeated while calls are up and the deadline is ahead), then
copies the draft in one transaction (APPLYING) that ends APPLIED, or FAILED.
Stop ends a run that has not entered its transaction (STOPPED).

APPLYING is committed before the transaction starts and APPLIED inside it, so a
run found APPLYING by a starting worker was interrupted before its transaction
committed: the live configuration is entirely the old one and the run is resumed
("resume"), until MAX_ATTEMPTS, then failed.
"""

QUEUED = "queued"
WAITING = "waiting_for_calls"
APPLYING = "applying"
APPLIED = "applied"
STOPPED = "stopped"
FAILED = "failed"

ALL_STATES = (QUEUED, WAITING, APPLYING, APPLIED, STOPPED, FAILED)
# What the page calls each state.
LABELS = {QUEUED: "Queued", WAITING: "Waiting for calls", APPLYING: "Applying", APPLIED: "Applied",
          STOPPED: "Stopped", FAILED: "Failed"}
# Runs in these states hold their organization's single active slot.
ACTIVE_STATES = frozenset({QUEUED, WAITING, APPLYING})
# States a run never leaves.
FINAL_STATES = frozenset({APPLIED, STOPPED, FAILED})
# States Stop can still end.
STOPPABLE_STATES = frozenset({QUEUED, WAITING})

MAX_ATTEMPTS = 3

# (state, event) -> next state. Anything else raises InvalidTransition.
TRANSITIONS = {
    (QUEUED, "wait"): WAITING,
    (QUEUED, "apply"): APPLYING,
    (QUEUED, "stop"): STOPPED,
    (QUEUED, "fail"): FAILED,
    (WAITING, "wait"): WAITING,
    (WAITING, "apply"): APPLYING,
    (WAITING, "stop"): STOPPED,
    (WAITING, "fail"): FAILED,
    (APPLYING, "resume"): APPLYING,
    (APPLYING, "done"): APPLIED,
    (APPLYING, "fail"): FAILED,
}


class InvalidTransition(Exception):
    """An event that the table does not allow in the run's current state."""


def next_state(state: str, event: str) -> str:
    """The state ``event`` leads to from ``state``, or InvalidTransition."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransition(f"cannot {event} a run that is {state}") from None


def sources(event: str) -> frozenset[str]:
    """Every state from which ``event`` is allowed."""
    return frozenset(state for (state, e) in TRANSITIONS if e == event)
