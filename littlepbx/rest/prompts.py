"""/orgs/{code}/ivrs/{name}/greeting and /orgs/{code}/announcements/{name}/recording: an object's
recorded prompt, uploaded as multipart (MP3 or WAV); see services/prompts.py."""
from flask import current_app, request, send_file

from littlepbx.extensions import get_backend
from littlepbx.kinds import kind_named
from littlepbx.rest.common import api, committed, config, scope
from littlepbx.rest.objects import answer
from littlepbx.services import prompts


def _object(org_scope, kind_name, row):
    return committed(answer(org_scope, kind_named(kind_name), [row])[0])


def put_prompt(kind_name, code, name):
    """multipart/form-data ``file``: answers the object naming its new prompt (draft)."""
    org_scope = scope(code)  # refuse strangers before reading any of the upload
    upload = request.files.get("file")
    row = prompts.upload(org_scope, kind_name, name, upload.filename if upload else None,
                         upload.stream if upload else None, config("DATA_DIR"), int(config("GREETING_MAX_BYTES")),
                         int(config("GREETING_MAX_SECONDS")), get_backend(current_app))
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
