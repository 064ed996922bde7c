"""The Apply run state machine, edge by edge."""
import itertools

import pytest

from littlepbx.applier import states

ALL_STATES = [states.QUEUED, states.WAITING, states.APPLYING, states.APPLIED, states.STOPPED,
              states.FAILED]
EVENTS = sorted({event for (_, event) in states.TRANSITIONS})


@pytest.mark.parametrize("state,event,target", [
    (states.QUEUED, "wait", states.WAITING),
    (states.QUEUED, "apply", states.APPLYING),
    (states.QUEUED, "stop", states.STOPPED),
    (states.QUEUED, "fail", states.FAILED),
    (states.WAITING, "wait", states.WAITING),
    (states.WAITING, "apply", states.APPLYING),
    (states.WAITING, "stop", states.STOPPED),
    (states.WAITING, "fail", states.FAILED),
    (states.APPLYING, "resume", states.APPLYING),
    (states.APPLYING, "done", states.APPLIED),
    (states.APPLYING, "fail", states.FAILED),
])
def test_when_event_is_allowed_then_run_moves_to_its_target(state, event, target):
    assert states.next_state(state, event) == target


def test_when_event_is_not_in_the_table_then_it_raises():
    allowed = set(states.TRANSITIONS)
    refused = [(s, e) for s, e in itertools.product(ALL_STATES, EVENTS) if (s, e) not in allowed]
    assert refused, "the table must forbid something"
    for state, event in refused:
        with pytest.raises(states.InvalidTransition):
            states.next_state(state, event)


def test_when_run_is_final_then_no_event_moves_it():
    for state, event in itertools.product(states.FINAL_STATES, EVENTS):
        with pytest.raises(states.InvalidTransition):
            states.next_state(state, event)


def test_when_run_is_applying_then_stop_is_refused():
    with pytest.raises(states.InvalidTransition, match="cannot stop a run that is applying"):
        states.next_state(states.APPLYING, "stop")
