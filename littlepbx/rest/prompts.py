"""/orgs/{code}/ivrs/{name}/greeting and /orgs/{code}/announcements/{name}/recording: an object's
recorded prompt, uploaded as multipart (MP3 or WAV) or taken from a recording made on a phone
(/orgs/{code}/phone-recordings); see services/prompts.py and services/phone_recordings.py. And
the organization's recorded calls (/orgs/{code}/recordings, services/call_recordings.py)."""
from flask import current_app, request, send_file

from littlepbx.extensions import get_backend
from littlepbx.kinds import kind_named
from littlepbx.rest.common import api, body, committed, config, no_content, scope
from littlepbx.rest.objects import answer
from littlepbx.services import call_recordings, phone_recordings, prompts


def _object(org_scope, kind_name, row):
    return committed(answer(org_scope, kind_named(kind_name), [row])[0])


def put_prompt(kind_name, code, name):
    """multipart/form-data ``file``, or JSON {"phone_recording": id}: answers the object naming its
    new prompt (draft)."""
    org_scope = scope(code)  # refuse strangers before reading any of the upload
    limits = (config("DATA_DIR"), int(config("GREETING_MAX_BYTES")), int(config("GREETING_MAX_SECONDS")),
              get_backend(current_app))
    if request.mimetype == "application/json":
        row = phone_recordings.use(org_scope, kind_name, name, body().get("phone_recording"), *limits)
    else:
        upload = request.files.get("file")
        row = prompts.upload(org_scope, kind_name, name, upload.filename if upload else None,
                             upload.stream if upload else None, *limits)
    return _object(org_scope, kind_name, row)


def delete_prompt(kind_name, code, name):
    """The object goes back to no prompt of its own (draft)."""
    org_scope = scope(code)
    return _object(org_scope, kind_name, prompts.delete(org_scope, kind_name, name))


def prompt_audio(kind_name, code, name):
    """The converted prompt (8 kHz mono WAV) of the draft, for a player."""
    return send_file(prompts.path_of(scope(code), kind_name, name, config("DATA_DIR")), mimetype="audio/wav",
                     max_age=0)


for _prompt in prompts.PROMPTS.values():
    _path = f"/orgs/<code>/{_prompt.kind}/<name>/{_prompt.word}"
    _defaults = {"kind_name": _prompt.kind}
    api.add_url_rule(_path, f"put_{_prompt.kind}_{_prompt.word}", put_prompt, methods=["PUT"], defaults=_defaults)
    api.add_url_rule(_path, f"delete_{_prompt.kind}_{_prompt.word}", delete_prompt, methods=["DELETE"],
                     defaults=_defaults)
    api.add_url_rule(_path + "/audio", f"{_prompt.kind}_{_prompt.word}_audio", prompt_audio, defaults=_defaults)


@api.get("/orgs/<code>/recordings")
def list_call_recordings(code):
    """The organization's recorded calls, newest first."""
    return committed({"items": call_recordings.list_recordings(scope(code), config("DATA_DIR"))})


@api.get("/orgs/<code>/recordings/<recording_id>/audio")
def call_recording_audio(code, recording_id):
    """One recorded call (WAV), to play, or to download with ?download=1."""
    return send_file(call_recordings.path_of(scope(code), config("DATA_DIR"), recording_id), mimetype="audio/wav",
                     max_age=0, as_attachment=request.args.get("download") == "1",
                     download_name=f"call-{recording_id}.wav")


@api.delete("/orgs/<code>/recordings/<recording_id>")
def delete_call_recording(code, recording_id):
    """Delete a recorded call."""
    call_recordings.delete(scope(code), config("DATA_DIR"), recording_id)
    return no_content()


@api.get("/orgs/<code>/phone-recordings")
def list_phone_recordings(code):
    """Recordings made on the organization's phones (*47), newest first."""
    return committed({"items": phone_recordings.list_recordings(scope(code), config("DATA_DIR"))})


@api.get("/orgs/<code>/phone-recordings/<recording_id>/audio")
def phone_recording_audio(code, recording_id):
    """One recording (8 kHz mono WAV), for a player."""
    return send_file(phone_recordings.path_of(scope(code), config("DATA_DIR"), recording_id), mimetype="audio/wav",
                     max_age=0)


@api.delete("/orgs/<code>/phone-recordings/<recording_id>")
def delete_phone_recording(code, recording_id):
    """Delete a recording (what already uses it keeps its copy)."""
    phone_recordings.delete(scope(code), config("DATA_DIR"), recording_id)
    return no_content()
