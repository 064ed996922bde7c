"""/orgs/{code}/ivrs/{name}/greeting: a menu's greeting, uploaded as multipart (MP3 or WAV)."""
from flask import current_app, request, send_file

from littlepbx.extensions import get_backend
from littlepbx.kinds import kind_named
from littlepbx.rest.common import api, committed, config, scope
from littlepbx.rest.objects import answer
from littlepbx.services import ivrs


def _menu(org_scope, row):
    return committed(answer(org_scope, kind_named("ivrs"), [row])[0])


@api.put("/orgs/<code>/ivrs/<name>/greeting")
def put_greeting(code, name):
    """multipart/form-data ``file``: answers the menu naming its new greeting (draft)."""
    org_scope = scope(code)  # refuse strangers before reading any of the upload
    upload = request.files.get("file")
    row = ivrs.upload_greeting(org_scope, name, upload.filename if upload else None, upload.stream if upload else None,
                               config("DATA_DIR"), int(config("GREETING_MAX_BYTES")),
                               int(config("GREETING_MAX_SECONDS")), get_backend(current_app))
    return _menu(org_scope, row)


@api.delete("/orgs/<code>/ivrs/<name>/greeting")
def delete_greeting(code, name):
    """The menu goes back to the PBX's own prompt (draft)."""
    org_scope = scope(code)
    return _menu(org_scope, ivrs.delete_greeting(org_scope, name))


@api.get("/orgs/<code>/ivrs/<name>/greeting/audio")
def greeting_audio(code, name):
    """The converted greeting (8 kHz mono WAV) of the draft, for a player."""
    return send_file(ivrs.greeting_path(scope(code), name, config("DATA_DIR")), mimetype="audio/wav", max_age=0)
