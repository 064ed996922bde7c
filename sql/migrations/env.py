"""Alembic environment: LittlePBX's schema migrations, run by `littlepbx db upgrade`."""
from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

import littlepbx.kinds  # noqa: F401  (declares the draft and live tables of every kind)
from littlepbx.database import VERSION_TABLE
from littlepbx.models import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate compares only LittlePBX's models: the PBX's realtime tables are created by
    their own hand-written migrations and are not in Base.metadata."""
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations_online() -> None:
    """Run the migrations on the database named by the Alembic config's sqlalchemy.url."""
    connectable = config.attributes.get("connection")
    if connectable is None:
        # NullPool: the connection closes when the migration ends instead of idling in a pool.
        connectable = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=NullPool)
    with connectable.connect() if hasattr(connectable, "connect") else connectable as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          version_table=VERSION_TABLE,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `littlepbx db upgrade`")
run_migrations_online()
