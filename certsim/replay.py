"""`certsim replay PATH...`: the scenario replayer (same as `python -m scenarios run`)."""

from __future__ import annotations


def register(sub) -> None:
    """Add the `replay` subcommand to the certsim command line."""
    from scenarios.cli import add_run_arguments, run_command

    parser = sub.add_parser("replay", help="replay scenario files (YAML) and report")
    add_run_arguments(parser)
    parser.set_defaults(func=run_command)
