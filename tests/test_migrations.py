"""Schema migrations go down and up again cleanly."""
from sqlalchemy import create_engine, inspect

from littlepbx import database
from tests.support.databases import scratch_database


def test_when_schema_is_downgraded_to_base_and_upgraded_then_every_table_is_back():
    with scratch_database("migrations") as url:
        database.upgrade(url)
        engine = create_engine(url)
        tables = set(inspect(engine).get_table_names())
        assert {"organizations", "extensions", "live_extensions", "apply_runs"} <= tables
        database.downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) == {"littlepbx_alembic_version"}
        database.upgrade(url)
        assert set(inspect(engine).get_table_names()) == tables
        engine.dispose()
