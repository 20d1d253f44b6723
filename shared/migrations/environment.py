"""The body of both portals' Alembic `env.py`: only this database's tables, batch mode on SQLite."""

from __future__ import annotations

from alembic import context

from shared.db import Base, make_engine


def run_migrations_online() -> None:
    """Migrate the database named in the Alembic config ("mem" or "national")."""
    config = context.config
    database = config.attributes.get("database") or config.get_main_option("database")

    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == "table" and not reflected:
            return obj.info.get("db") in (database, "both")
        return True

    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          include_object=include_object,
                          render_as_batch=connection.dialect.name == "sqlite",
                          version_table=f"alembic_version_{database}")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
