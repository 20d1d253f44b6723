"""The `certsim` command: back office, calendar, migrations, demo data (a composition root)."""
