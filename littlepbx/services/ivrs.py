"""A menu's greeting: an MP3 or WAV upload converted for the PBX and stored by content; the menu's
draft names it, so it is heard after the next Apply. The menu itself is the Ivrs kind."""
from __future__ import annotations

import os

from littlepbx.errors import NotFound
from littlepbx.kinds import kind_named
from littlepbx.kinds.audio import audio_path
from littlepbx.services import audio_uploads, objects
from littlepbx.tenancy import OrgScope


def upload_greeting(scope: OrgScope, name: str, filename, stream, data_dir: str, max_bytes: int,
                    max_seconds: int, backend):
    """Convert and store the greeting, point the menu's draft at it; returns the menu's row."""
    kind = kind_named("ivrs")
    scope.require(kind.permissions["update"])
    row = objects.get(scope, kind, name)
    row.greeting_name, row.greeting_sha256 = audio_uploads.store(
        scope, "prompts", filename, stream, data_dir, max_bytes, backend, formats=("mp3", "wav"),
        max_seconds=max_seconds)
    scope.audit("ivr.greeting", row.name, {"file": row.greeting_name, "sha256": row.greeting_sha256})
    return row


def delete_greeting(scope: OrgScope, name: str):
    """The menu plays the PBX's own prompt again (after Apply); the file stays for the live copy."""
    kind = kind_named("ivrs")
    scope.require(kind.permissions["update"])
    row = objects.get(scope, kind, name)
    row.greeting_name = row.greeting_sha256 = None
    scope.audit("ivr.greeting.delete", row.name)
    return row


def greeting_path(scope: OrgScope, name: str, data_dir: str) -> str:
    """The converted greeting of the menu's draft, for the page's player."""
    row = objects.get(scope, kind_named("ivrs"), name)
    path = audio_path(data_dir, "prompts", scope.org.code, row.greeting_sha256) if row.greeting_sha256 else None
    if path is None or not os.path.isfile(path):
        raise NotFound(f"menu {row.name} has no greeting uploaded")
    return path
