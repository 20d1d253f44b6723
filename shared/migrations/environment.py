"""The body of both portals' Alembic `env.py`: only that database's tables, batch mode on SQLite."""

from __future__ import annotations

from alembic import context

from shared.db import Base, make_engine


def run_migrations_online(database: str, tables) -> None:
    """Migrate one portal's database ("mem" or "national"), which holds `tables`."""
    config = context.config
    names = {table.name for table in tables}

    def include_object(obj, name, type_, reflected, compare_to):
        return type_ != "table" or name in names

    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          include_object=include_object,
                          render_as_batch=connection.dialect.name == "sqlite",
                          version_table=f"alembic_version_{database}")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
