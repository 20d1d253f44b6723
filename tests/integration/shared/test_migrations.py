"""Each database's Alembic history builds exactly the schema its models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mem_portal.migrations import upgrade as upgrade_mem
from mem_portal.models import TABLES as MEM_TABLES
from national_portal.migrations import upgrade as upgrade_national
from national_portal.models import TABLES as NATIONAL_TABLES
from shared.db import Base, make_engine

UPGRADES = {"mem": upgrade_mem, "national": upgrade_national}
TABLES = {"mem": MEM_TABLES, "national": NATIONAL_TABLES}


@pytest.mark.parametrize("database", ["mem", "national"])
def test_migrating_a_fresh_database_matches_the_models(db_url_factory, database):
    url = db_url_factory(database)
    UPGRADES[database](url)
    UPGRADES[database](url)  # a second run is a no-op
    engine = make_engine(url)
    wanted = {t.name for t in TABLES[database]}
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names()) - {f"alembic_version_{database}"}
        context = MigrationContext.configure(conn, opts={
            "include_object": lambda obj, name, type_, reflected, _: (
                type_ != "table" or name in wanted)})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert present == wanted
    assert diff == []


def test_renaming_the_binding_s_licence_column_keeps_every_binding(db_url_factory):
    from alembic import command
    from sqlalchemy import text

    from national_portal.migrations import HERE
    from shared.migrations import alembic_config

    url = db_url_factory("national")
    make_engine(url).dispose()
    command.upgrade(alembic_config(HERE, url), "0002_national")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO accounts (id, phone, id_number, name, password_hash, created_at) "
            "VALUES (1, '13800138000', '110101199003070011', '张三', 'x', '2024-01-01')"))
        conn.execute(text(
            "INSERT INTO licences (id, certificate_key, licence_id, licence_version, revision, "
            "holder_name, holder_id_number, sex, cert_number, category, item, first_issued_on, "
            "issued_on, valid_from, valid_to, authority, authority_code, region_code, "
            "archive_code, card_version, status, rule_set, payload, arrived_at, updated_at) "
            "VALUES (7, 'k', 'l', 1, 1, '张三', '110101199003070011', '男', 'c', 'a', 'b', "
            "'2024-01-01', '2024-01-01', '2024-01-01', '2030-01-01', 'x', 'y', 'z', 'w', 'new', "
            "'valid', 'r', '{}', '2024-01-01', '2024-01-01')"))
        conn.execute(text("INSERT INTO licence_bindings (account_id, licence_id, bound_at) "
                          "VALUES (1, 7, '2024-01-02')"))
    engine.dispose()
    upgrade_national(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT account_id, licence_row_id FROM licence_bindings")).all() == [(1, 7)]
    engine.dispose()


@pytest.mark.parametrize("database", ["mem", "national"])
def test_every_revision_goes_down_to_nothing_and_up_again(db_url_factory, database):
    from alembic import command

    import mem_portal.migrations
    import national_portal.migrations
    from shared.migrations import alembic_config

    here = {"mem": mem_portal.migrations.HERE, "national": national_portal.migrations.HERE}
    url = db_url_factory(database)
    UPGRADES[database](url)
    command.downgrade(alembic_config(here[database], url), "base")
    UPGRADES[database](url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert {t.name for t in TABLES[database]} <= set(inspect(conn).get_table_names())
    engine.dispose()
