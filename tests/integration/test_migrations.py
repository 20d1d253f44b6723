"""Each database's Alembic history builds exactly the schema its models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import mem_portal.models  # noqa: F401
import national_portal.models  # noqa: F401
from mem_portal.migrations import upgrade as upgrade_mem
from national_portal.migrations import upgrade as upgrade_national
from shared.db import Base, make_engine, tables_for

UPGRADES = {"mem": upgrade_mem, "national": upgrade_national}


@pytest.mark.parametrize("database", ["mem", "national"])
def test_migrating_a_fresh_database_matches_the_models(db_url_factory, database):
    url = db_url_factory(database)
    UPGRADES[database](url)
    UPGRADES[database](url)  # a second run is a no-op
    engine = make_engine(url)
    wanted = {t.name for t in tables_for(database)}
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names()) - {f"alembic_version_{database}"}
        context = MigrationContext.configure(conn, opts={
            "include_object": lambda obj, name, type_, reflected, _: (
                type_ != "table" or name in wanted)})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert present == wanted
    assert diff == []
