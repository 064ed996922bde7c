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


def differences(connection, metadata) -> list:
    """What autogenerate would change to make the migrated schema match ``metadata``'s tables."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    ours = set(metadata.tables)

    def table_of(difference) -> str | None:
        item = difference[0] if isinstance(difference, list) else difference
        if item[0] in ("add_table", "remove_table"):
            return item[1].name
        if item[0] in ("add_index", "remove_index"):
            return item[1].table.name
        return item[2] if isinstance(difference, list) else getattr(item[1], "table", None) and item[1].table.name

    return [d for d in compare_metadata(context, metadata) if table_of(d) in ours]


def test_when_migrations_have_run_then_the_tables_are_exactly_what_the_code_declares():
    import littlepbx.kinds  # noqa: F401  (declares the tables of every kind)
    from littlepbx.models import Base
    from littlepbx.pbx_backends.asterisk import tables
    with scratch_database("declared") as url:
        database.upgrade(url)
        engine = create_engine(url)
        with engine.connect() as connection:
            assert differences(connection, Base.metadata) == []
            assert differences(connection, tables.metadata) == []
        engine.dispose()


def test_when_a_kind_of_destination_is_downgraded_away_then_nothing_names_it_any_more():
    from sqlalchemy import text
    with scratch_database("migrations") as url:
        database.upgrade(url)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO organizations (code, name, admin_email, timezone, max_extensions, max_concurrent_calls,"
                " apply_wait_seconds, created_at, updated_at, max_dids, max_storage_mb, max_applies_per_minute,"
                " audit_retention_days) VALUES ('acme', 'Acme', 'it@acme.example', 'UTC', 10, 2, 60, NOW(), NOW(),"
                " 10, 100, 10, 90)"))
            org = connection.execute(text("SELECT id FROM organizations")).scalar()
            for table in ("dids", "live_dids"):
                connection.execute(text(f"INSERT INTO {table} (org_id, number, destination, description)"
                                        " VALUES (:o, '+14155550100', 'queue:500', '')"), {"o": org})
            connection.execute(text("INSERT INTO ivrs (org_id, name, title, option_2, direct_dial, timeout_seconds,"
                                    " repeats, timeout_destination, invalid_destination)"
                                    " VALUES (:o, 'main', '', 'queue:500', 0, 5, 2, 'queue:500', '101')"), {"o": org})
        database.downgrade(url, "0012_paging_groups")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT destination FROM dids")).scalar() is None
            assert connection.execute(text("SELECT destination FROM live_dids")).scalar() is None
            menu = connection.execute(text("SELECT option_2, timeout_destination, invalid_destination FROM ivrs")).one()
            assert tuple(menu) == (None, "hangup", "101")
        engine.dispose()


def test_the_upstream_identify_objects_hold_every_address_once_in_a_few_objects():
    """What Asterisk reads as "identify" objects (lp_upstream_identifies): every upstream address
    and line address, each in exactly one of at most 64 objects of the one upstream endpoint, and
    the placeholder that keeps each object (and Asterisk's cache) from being empty."""
    from sqlalchemy import text
    sources = [f"10.{n // 250}.{n % 250}.1" for n in range(1500)] + ["2001:db8::7"]
    lines = [f"trunk{n}@10.{n // 250}.{n % 250}.2" for n in range(500)] + ["other@10.0.0.1"]  # shared
    with scratch_database("identifies") as url:
        database.upgrade(url)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO lp_upstream_sources (address, tenantid) VALUES (:a, 'acme')"),
                               [{"a": address} for address in sources])
            connection.execute(text("INSERT INTO lp_upstream_lines (id, tenantid) VALUES (:i, 'acme')"),
                               [{"i": line} for line in lines])
            rows = connection.execute(text("SELECT id, endpoint, `match`, srv_lookups FROM lp_upstream_identifies")).all()
        engine.dispose()
    matched = [address for row in rows for address in row.match.split(",")]
    wanted = set(sources) | {line.rpartition("@")[2] for line in lines}
    assert len(rows) == 64 and len({row.id for row in rows}) == 64
    assert {row.endpoint for row in rows} == {"lp-upstream"} and {row.srv_lookups for row in rows} == {"no"}
    assert sorted(address for address in matched if address != "255.255.255.255") == sorted(wanted)
    assert matched.count("255.255.255.255") == 64
