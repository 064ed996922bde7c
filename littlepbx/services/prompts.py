"""Recorded prompts of call routing objects: a menu's greeting, an announcement's recording. Each is
an MP3 or WAV upload converted for the PBX and stored by content; the object's draft names it, so
it is heard after the next Apply. Which kinds have one, and in which fields: PROMPTS."""
from __future__ import annotations

import os
from dataclasses import dataclass

from littlepbx.errors import NotFound
from littlepbx.kinds import kind_named
from littlepbx.kinds.audio import audio_path
from littlepbx.services import audio_uploads, objects
from littlepbx.tenancy import OrgScope


@dataclass(frozen=True)
class Prompt:
    """A kind's prompt: the word in its URL and audit actions, and its two fields."""

    kind: str
    word: str
    name_field: str
    digest_field: str


PROMPTS = {prompt.kind: prompt for prompt in (
    Prompt("ivrs", "greeting", "greeting_name", "greeting_sha256"),
    Prompt("announcements", "recording", "recording_name", "recording_sha256"),
)}


def _editable(scope: OrgScope, kind_name: str, name: str):
    kind = kind_named(kind_name)
    scope.require(kind.permissions["update"])
    return PROMPTS[kind_name], objects.get(scope, kind, name)


def upload(scope: OrgScope, kind_name: str, name: str, filename, stream, data_dir: str, max_bytes: int,
           max_seconds: int, backend):
    """Convert and store the prompt, point the object's draft at it; returns the object's row."""
    prompt, row = _editable(scope, kind_name, name)
    original, digest = audio_uploads.store(scope, "prompts", filename, stream, data_dir, max_bytes, backend,
                                           formats=("mp3", "wav"), max_seconds=max_seconds)
    setattr(row, prompt.name_field, original)
    setattr(row, prompt.digest_field, digest)
    scope.audit(f"{objects.audit_noun(kind_named(kind_name))}.{prompt.word}", name,
                {"file": original, "sha256": digest})
    return row


def delete(scope: OrgScope, kind_name: str, name: str):
    """Forget the prompt (after Apply); the file stays for the live copy."""
    prompt, row = _editable(scope, kind_name, name)
    setattr(row, prompt.name_field, None)
    setattr(row, prompt.digest_field, None)
    scope.audit(f"{objects.audit_noun(kind_named(kind_name))}.{prompt.word}.delete", name)
    return row


def path_of(scope: OrgScope, kind_name: str, name: str, data_dir: str) -> str:
    """The converted prompt of the object's draft, for the page's player."""
    prompt = PROMPTS[kind_name]
    row = objects.get(scope, kind_named(kind_name), name)
    digest = getattr(row, prompt.digest_field)
    path = audio_path(data_dir, "prompts", scope.org.code, digest) if digest else None
    if path is None or not os.path.isfile(path):
        raise NotFound(f"{kind_named(kind_name).noun} {name} has no {prompt.word} uploaded")
    return path
