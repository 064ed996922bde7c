"""Destinations: where a call goes, as one typed value that may name an object of the organization."""
import pytest

from littlepbx import fields as f
from littlepbx.kinds import Extensions

EVERYWHERE = f.Destination(label="Then", allowed=("extension", "voicemail", "external", "hangup"))


@pytest.mark.parametrize("written,stored,named", [
    ("102", "102", [("extensions", "102")]),
    ("voicemail:102", "voicemail:102", [("extensions", "102")]),
    ("+1 (415) 555-0100", "+14155550100", []),
    ("hangup", "hangup", []),
])
def test_when_a_destination_is_written_then_it_is_stored_and_names_its_object(written, stored, named):
    assert EVERYWHERE.clean(written) == stored
    assert EVERYWHERE.references(stored) == named


@pytest.mark.parametrize("written", ["voicemail:", "t2-101", "102&PJSIP/t2-101", "queue:support", "1", "HANGUP"])
def test_when_a_destination_is_not_one_of_the_allowed_forms_then_it_is_refused(written):
    with pytest.raises(f.FieldError, match="not a destination"):
        EVERYWHERE.clean(written)


def test_when_a_field_allows_fewer_targets_then_the_others_are_refused():
    numbers_only = f.Destination(label="Then", allowed=("extension", "external"))
    assert numbers_only.clean("102") == "102" and numbers_only.clean("+14155550100") == "+14155550100"
    for refused in ("voicemail:102", "hangup"):
        with pytest.raises(f.FieldError, match="not a destination"):
            numbers_only.clean(refused)
    assert numbers_only.targets() == {"extensions"}


def test_an_extension_forwards_to_any_destination_of_its_organization():
    forward = Extensions.fields["forward_to"]
    for destination in ("102", "+14155550100", "voicemail:102", "hangup"):
        assert forward.clean(destination) == destination
    assert "extensions" in forward.targets()


def test_the_document_tells_the_page_which_targets_a_destination_takes():
    schema = EVERYWHERE.schema()
    assert schema["x-destination"] == ["extension", "voicemail", "external", "hangup"]
    assert schema["pattern"] == r"^(?:[0-9]{2,6}|voicemail:[0-9]{2,6}|\+?[0-9]{7,15}|hangup)$"
