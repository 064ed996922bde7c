"""/orgs/{code}/musicclasses/{name}/files: a music class's files, each uploaded as multipart."""
from flask import current_app, request, send_file

from littlepbx.extensions import get_backend
from littlepbx.kinds import kind_named
from littlepbx.rest.common import api, committed, config, scope
from littlepbx.rest.objects import answer
from littlepbx.services import musicclasses


def _class(org_scope, row):
    return committed(answer(org_scope, kind_named("musicclasses"), [row])[0])


@api.post("/orgs/<code>/musicclasses/<name>/files")
def add_music_file(code, name):
    """multipart/form-data ``file`` (MP3 or WAV): answers the class with the file added (draft)."""
    org_scope = scope(code)  # refuse strangers before reading any of the upload
    upload = request.files.get("file")
    row = musicclasses.add_file(org_scope, name, upload.filename if upload else None,
                                upload.stream if upload else None, config("DATA_DIR"), int(config("MOH_MAX_BYTES")),
                                get_backend(current_app))
    return _class(org_scope, row)


@api.delete("/orgs/<code>/musicclasses/<name>/files/<digest>")
def remove_music_file(code, name, digest):
    """Answers the class without that file (draft)."""
    org_scope = scope(code)
    return _class(org_scope, musicclasses.remove_file(org_scope, name, digest))


@api.get("/orgs/<code>/musicclasses/<name>/files/<digest>/audio")
def music_file_audio(code, name, digest):
    """One converted file (8 kHz mono WAV) of the class's draft, for a player."""
    return send_file(musicclasses.file_path(scope(code), name, digest, config("DATA_DIR")), mimetype="audio/wav",
                     max_age=0)
