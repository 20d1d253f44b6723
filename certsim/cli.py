"""`certsim …`: back office, clock, snapshots, calendar, migrations, demo data, issuers,
explain, export, replay, run and the OpenAPI documents.

Each subcommand lives in a small function; `main` parses and dispatches, and turns a domain
error into one clear line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys

from certsim import (
    backoffice,
    clock,
    explain,
    export,
    fuzz,
    openapi,
    recording,
    replay,
    run,
    snapshots,
    world,
)
from certsim.arguments import parse_moment
from shared.clock import SHANGHAI
from shared.errors import DomainError

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def cmd_calendar(args) -> int:
    """Print the visible-from date of a change made at DATETIME, then the working days counted."""
    from shared.lag import parse_lag

    moment = parse_moment(args.datetime)
    policy = parse_lag(args.lag, field="--lag")
    if policy.kind not in ("working_days", "immediate"):
        raise DomainError("--lag", "calendar takes 0 or <n>wd (n <= 3)")
    calendar = world.calendar()
    visible, counted = calendar.visible_from(moment, policy.low)
    print(visible.astimezone(SHANGHAI).date().isoformat())
    label = "working days counted" if policy.low else "first working day"
    print(f"{label}: " + ", ".join(day.isoformat() for day in counted))
    print(f"visible from: {visible.astimezone(SHANGHAI).isoformat()}")
    return 0


def cmd_migrate(args) -> int:
    """Bring both databases (or one) to the newest schema."""
    for name in ([args.database] if args.database else world.MIGRATIONS):
        print(f"{name}: migrated ({_safe_url(world.migrate(name))})")
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_seed_demo(args) -> int:
    """Load the demo certificates and the demo accounts on both portals (idempotent)."""
    from certsim.demo import DEMO_PASSWORD, seed_demo, seed_demo_accounts

    clock = world.clock()
    with world.open_session("mem") as session:
        for line in seed_demo(session, world.issuer(clock), at=clock.now()):
            print(line)
        holders = seed_demo_accounts(session, clock, world.password_cost("mem"))
    with world.open_session("national") as session:
        seed_demo_accounts(session, clock, world.password_cost("national"))
    for person in holders:
        print(f"login {person.phone} / {DEMO_PASSWORD}  {person.name}: {person.case}")
    return 0


def cmd_authorities(args) -> int:
    """List the issuers a certificate may name: 签发机关, region code, credit code."""
    from shared.authorities import AUTHORITIES

    for authority in AUTHORITIES.values():
        print(f"{authority.name}\t{authority.region_code}\t{authority.code}")
    return 0


QUIET = ("clock", "run", "snapshot", "calendar", "migrate", "authorities", "openapi")  # they say the time, or need none


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="certsim", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("calendar", help="when a change made at DATETIME becomes visible")
    p.add_argument("datetime", help="ISO date or datetime (a date is 00:00 Asia/Shanghai)")
    p.add_argument("--lag", default="3wd", help="0 or <n>wd, n <= 3 (default 3wd)")
    p.set_defaults(func=cmd_calendar)
    p = sub.add_parser("migrate", help="apply the Alembic migrations")
    p.add_argument("database", nargs="?", choices=["mem", "national"])
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("authorities", help="list the issuers (签发机关) --authority accepts")
    p.set_defaults(func=cmd_authorities)
    p = sub.add_parser("seed-demo", help="load the demo holders and certificates")
    p.set_defaults(func=cmd_seed_demo)
    for module in (backoffice, clock, snapshots, explain, export, replay, fuzz, run,
                   openapi, recording):
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.line = "certsim " + shlex.join(sys.argv[1:] if argv is None else argv)  # recordings
    try:
        if args.command not in QUIET:
            world.announce_simulated_time()
        return args.func(args)
    except DomainError as exc:
        print(f"certsim {args.command}: {exc.field}: {exc.message}" if exc.field
              else f"certsim {args.command}: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
