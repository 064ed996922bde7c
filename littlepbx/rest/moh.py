"""Music on hold: /orgs/{code}/moh (PUT takes the MP3 as multipart) and its converted audio."""
from flask import current_app, request, send_file

from littlepbx.extensions import get_backend
from littlepbx.rest.common import api, body, committed, config, scope
from littlepbx.services import moh


@api.get("/orgs/<code>/moh")
def get_moh(code):
    """Whether music on hold is on, and which file is uploaded (draft)."""
    org_scope = scope(code)
    return committed(moh.as_dict(org_scope, moh.get_moh(org_scope)))


@api.put("/orgs/<code>/moh")
def put_moh(code):
    """multipart/form-data: ``file`` (an MP3) and optional ``enabled``; JSON: {"enabled": bool,
    "music_class": a music class or null}, either or both."""
    org_scope = scope(code)  # refuse strangers before reading any of the upload
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        row = moh.upload(org_scope, upload.filename if upload else None,
                         upload.stream if upload else None, config("DATA_DIR"),
                         int(config("MOH_MAX_BYTES")), get_backend(current_app), request.form.get("enabled"))
    else:
        row = moh.update(org_scope, body())
    return committed(moh.as_dict(org_scope, row))


@api.delete("/orgs/<code>/moh")
def delete_moh(code):
    """Forget the uploaded music and turn music on hold off."""
    org_scope = scope(code)
    return committed(moh.as_dict(org_scope, moh.delete(org_scope)))


@api.get("/orgs/<code>/moh/audio")
def moh_audio(code):
    """The converted music (8 kHz mono WAV) of the draft, for a player."""
    return send_file(moh.audio_path(scope(code), config("DATA_DIR")), mimetype="audio/wav",
                     max_age=0)
