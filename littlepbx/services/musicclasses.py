"""A music class's files: MP3 or WAV uploads converted for the PBX and stored by content, added
to (or taken from) the class's draft; heard after the next Apply. The class is the MusicClasses kind."""
from __future__ import annotations

import os

from littlepbx.errors import NotFound
from littlepbx.kinds import kind_named
from littlepbx.kinds.audio import audio_path
from littlepbx.kinds.musicclasses import MAX_FILES
from littlepbx.services import audio_uploads, objects
from littlepbx.tenancy import OrgScope


def _files(row) -> tuple[list[str], list[str]]:
    kind = kind_named("musicclasses")
    return kind.fields["files"].dump(row.files), kind.fields["file_names"].dump(row.file_names)


def _store(row, digests: list[str], names: list[str]) -> None:
    row.files, row.file_names = " ".join(digests), "|".join(names)


def add_file(scope: OrgScope, name: str, filename, stream, data_dir: str, max_bytes: int, backend):
    """Convert and store one more file of the class (at most MAX_FILES); returns the class's row."""
    kind = kind_named("musicclasses")
    scope.require(kind.permissions["update"])
    row = objects.get(scope, kind, name)
    digests, names = _files(row)
    if len(digests) >= MAX_FILES:
        raise audio_uploads.bad_file(f"a music class holds at most {MAX_FILES} files; delete one first")
    original, digest = audio_uploads.store(scope, "moh", filename, stream, data_dir, max_bytes, backend,
                                           formats=("mp3", "wav"))
    if digest not in digests:
        _store(row, [*digests, digest], [*names, original.replace("|", "_")])
    scope.audit("musicclass.file.add", row.name, {"file": original, "sha256": digest})
    return row


def remove_file(scope: OrgScope, name: str, digest: str):
    """Take the file out of the class (the stored file stays while the live class plays it)."""
    kind = kind_named("musicclasses")
    scope.require(kind.permissions["update"])
    row = objects.get(scope, kind, name)
    digests, names = _files(row)
    if digest not in digests:
        raise NotFound(f"music class {row.name} has no file {digest}")
    index = digests.index(digest)
    _store(row, digests[:index] + digests[index + 1:], names[:index] + names[index + 1:])
    scope.audit("musicclass.file.remove", row.name, {"sha256": digest})
    return row


def file_path(scope: OrgScope, name: str, digest: str, data_dir: str) -> str:
    """One converted file of the class's draft, for the page's player."""
    row = objects.get(scope, kind_named("musicclasses"), name)
    if digest not in _files(row)[0]:
        raise NotFound(f"music class {row.name} has no file {digest}")
    path = audio_path(data_dir, "moh", scope.org.code, digest)
    if not os.path.isfile(path):
        raise NotFound(f"the file {digest} of music class {row.name} is missing")
    return path
