"""Bad requests answer JSON with the right 4xx, never HTML and never a 500."""


def test_when_url_unknown_under_api_then_json_404(system_api):
    answer = system_api.get("/nothing/here")
    assert answer.status_code == 404 and answer.is_json
    assert answer.get_json()["error"]["code"] == "not_found"


def test_when_method_not_allowed_then_json_405_with_allow(system_api, orgs):
    answer = system_api.put("/orgs/acme/changes")
    assert answer.status_code == 405 and answer.is_json
    assert "GET" in answer.headers["Allow"]


def test_when_body_is_not_json_then_422(system_api, orgs):
    answer = system_api.post("/orgs/acme/extensions", data="number=102",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 422 and "JSON object" in answer.get_json()["error"]["message"]


def test_when_json_is_malformed_then_422(system_api, orgs):
    answer = system_api.post("/orgs/acme/extensions", data="{nope", headers={"Content-Type": "application/json"})
    assert answer.status_code == 422


def test_when_body_too_large_then_json_413(system_api, orgs, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    answer = system_api.post("/orgs/acme/extensions", json={"number": "102", "display_name": "x" * 5000})
    assert answer.status_code == 413 and answer.is_json


def test_when_field_has_wrong_type_then_422_not_500(system_api, orgs):
    for payload in ({"number": ["101"]}, {"number": {"a": 1}}, {"number": "103", "ring_seconds": True},
                    {"number": "104", "voicemail_enabled": "perhaps"}, {"number": None}):
        assert system_api.post("/orgs/acme/extensions", json=payload).status_code == 422, payload


def test_when_unknown_field_sent_then_422_names_it(system_api, orgs):
    answer = system_api.post("/orgs/acme/extensions", json={"number": "105", "colour": "red"})
    assert answer.get_json()["error"]["fields"] == {"colour": "unknown field"}


def test_when_openapi_read_without_credentials_then_200(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer.get_json()["openapi"].startswith("3.")


def test_when_number_is_infinity_then_422(system_api, orgs):
    answer = system_api.patch("/orgs/acme", data='{"max_extensions": Infinity}',
                              headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and answer.get_json()["error"]["fields"] == {"max_extensions": "expected a whole number"}


def test_when_text_has_a_lone_surrogate_then_422(system_api, orgs):
    answer = system_api.patch("/orgs/acme", data='{"name": "bad \\ud800 text"}',
                              headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and answer.get_json()["error"]["fields"] == {"name": "not valid Unicode text"}


def test_when_json_is_nested_absurdly_deep_then_422(system_api, orgs):
    answer = system_api.post("/orgs/acme/extensions", data="[" * 100000 + "]" * 100000,
                             headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
