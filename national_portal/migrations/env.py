"""Alembic environment: only the tables of this database, batch mode for SQLite."""

from alembic import context

import national_portal.models  # noqa: F401  (registers every table of this database)
from shared.db import Base, make_engine

config = context.config
DATABASE = config.attributes.get("database") or config.get_main_option("database")


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table":
        return obj.info.get("db") in (DATABASE, "both") if not reflected else True
    return True


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          include_object=include_object,
                          render_as_batch=connection.dialect.name == "sqlite",
                          version_table=f"alembic_version_{DATABASE}")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
