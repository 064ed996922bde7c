"""An Apply skips the realtime tables whose rows would come out as the last Apply wrote them
(lp_row_digests), and writes the ones that change; the worker's upkeep forgets the digests so
that the next Apply compares every table again. The Asterisk backend's row writing against the
real database (no Asterisk process is needed for it)."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import delete, event, insert, select, update

from littlepbx.config import DEFAULTS
from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.asterisk.backend import AsteriskBackend
from littlepbx.pbx_backends.base import OrgPBXConfig, TimeConditionConfig
from tests.asterisk.helpers import extension, trunks


def org(name: str = "Front desk") -> OrgPBXConfig:
    return OrgPBXConfig("digesta", 0, (extension("digesta", "101", display_name=name),
                                       extension("digesta", "102")))


@pytest.fixture
def backend(engine):
    backend = AsteriskBackend(dict(DEFAULTS, DATABASE_URL=str(engine.url.render_as_string(hide_password=False))))
    yield backend
    with engine.begin() as connection:
        backend.remove_org(connection, "digesta")
    backend.close()


def write(engine, backend, config: OrgPBXConfig) -> list[str]:
    """write_org in one transaction; returns the statements it sent."""
    sent = []
    with engine.begin() as connection:
        event.listen(connection, "before_cursor_execute", lambda *args: sent.append(args[2]))
        backend.write_org(connection, config)
    return sent


def caller_id(engine) -> str:
    with engine.connect() as connection:
        return connection.scalar(select(tables.ps_endpoints.c.callerid)
                                 .where(tables.ps_endpoints.c.id == "digesta-101"))


def test_when_nothing_changed_then_an_apply_neither_reads_nor_writes_the_endpoints(engine, backend):
    first = write(engine, backend, org())
    assert any("ps_endpoints" in statement for statement in first)
    again = write(engine, backend, org())
    assert not any("ps_endpoints" in statement or "lp_extension_plans" in statement for statement in again)
    assert len(again) < len(first) / 2, (len(again), len(first))
    write(engine, backend, org("Reception"))
    assert caller_id(engine) == '"Reception" <101>'


def test_when_the_upkeep_forgot_the_digests_then_the_next_apply_mends_rows_changed_behind_its_back(
        engine, backend):
    write(engine, backend, org())
    with engine.begin() as connection:
        connection.execute(update(tables.ps_endpoints).where(tables.ps_endpoints.c.id == "digesta-101")
                           .values(callerid='"Mallory" <101>'))
    write(engine, backend, org())
    assert caller_id(engine) == '"Mallory" <101>', "the same configuration again: nothing was compared"
    backend.forget_digests()
    write(engine, backend, org())
    assert caller_id(engine) == '"Front desk" <101>'


def test_a_change_is_compared_with_the_rows_this_process_wrote_and_a_rolled_back_one_is_not_trusted(
        engine, backend):
    write(engine, backend, org())
    sent = write(engine, backend, org("Reception"))
    assert not any(statement.lstrip().startswith("SELECT") and "FROM ps_endpoints" in statement for statement in sent), \
        "the endpoints this process wrote are not read again"
    assert caller_id(engine) == '"Reception" <101>'
    # A write that is rolled back leaves the table as it was: the next Apply reads it.
    with pytest.raises(RuntimeError), engine.begin() as connection:
        backend.write_org(connection, org("Never"))
        raise RuntimeError("the Apply failed after writing")
    assert caller_id(engine) == '"Reception" <101>'
    write(engine, backend, org("Never"))
    assert caller_id(engine) == '"Never" <101>', "written, though this process had written these rows before"


def condition(closed: str) -> TimeConditionConfig:
    return TimeConditionConfig("hours", "Office hours", ("mon-fri 09:00-17:00",), (), "101", closed, 5, "UTC")


def test_an_apply_writes_addresses_music_entries_conditions_and_queue_members_only_when_they_change(
        engine, backend):
    def written(config: OrgPBXConfig) -> set[str]:
        """The tables of these four that the Apply wrote to (reads not counted)."""
        return {table for statement in write(engine, backend, config)
                if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "DELETE", "UPDATE")
                for table in ("lp_upstream_sources", "musiconhold_entry", "lp_time_conditions", "lp_queue_members")
                if table in statement}

    with_hours = replace(org(), timeconditions=(condition("102"),), trunks=trunks("192.0.2.71", "192.0.2.72"))
    assert written(with_hours) == {"lp_upstream_sources", "musiconhold_entry", "lp_time_conditions"}
    assert written(with_hours) == set()  # the org holds its address still: only read
    # A claim gone behind the Apply's back (another backend's writes) is made again.
    with engine.begin() as connection:
        connection.execute(delete(tables.lp_upstream_sources).where(tables.lp_upstream_sources.c.tenantid == "digesta"))
        connection.execute(insert(tables.lp_queue_members).values(
            id="digesta-500/digesta-101", queue_name="digesta-500", interface="PJSIP/digesta-101", tenantid="digesta"))
    assert written(with_hours) == {"lp_upstream_sources", "lp_queue_members"}
    with engine.connect() as connection:
        assert connection.execute(select(tables.lp_upstream_sources.c.address)
                                  .where(tables.lp_upstream_sources.c.tenantid == "digesta")).scalars().all() \
            == ["192.0.2.71"]
        assert connection.execute(select(tables.lp_queue_members.c.id)
                                  .where(tables.lp_queue_members.c.tenantid == "digesta")).first() is None, \
            "a queue member left of a queue that is gone"
    assert written(replace(with_hours, timeconditions=(condition("hangup"),))) == {"lp_time_conditions"}
    with engine.connect() as connection:
        closed = connection.scalar(select(tables.lp_time_conditions.c.closed_destination)
                                   .where(tables.lp_time_conditions.c.tenantid == "digesta"))
    assert closed == "hangup"
