"""Each app keeps its own state: two apps in one process never share a database engine."""
from littlepbx import close_app, create_app
from littlepbx.extensions import db


def test_when_two_apps_are_built_then_each_keeps_its_own_database(app_config, app):
    second = create_app(dict(app_config))
    try:
        assert db.of(second) is not db.of(app)
        assert db.of(second).engine is not db.of(app).engine
        with app.app_context():
            assert db.database is db.of(app), "the app made first still uses its own engine"
        with second.app_context():
            assert db.database is db.of(second)
    finally:
        close_app(second)


def test_when_an_app_is_built_for_a_test_then_host_config_and_environment_are_ignored(
        app_config, tmp_path, monkeypatch):
    hostile = tmp_path / "littlepbx.conf"
    hostile.write_text("DATABASE_URL = mysql+pymysql://nobody@192.0.2.1/none\nLISTEN_PORT = 1\n")
    monkeypatch.setenv("LITTLEPBX_CONFIG", str(hostile))
    monkeypatch.setenv("LITTLEPBX_PBX_BACKEND", "no-such-backend")
    isolated = create_app(dict(app_config))
    try:
        assert isolated.config["DATABASE_URL"] == app_config["DATABASE_URL"]
        assert isolated.config["LISTEN_PORT"] == 8080
        assert isolated.config["PBX_BACKEND"] == app_config["PBX_BACKEND"]
    finally:
        close_app(isolated)
