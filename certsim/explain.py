"""`certsim explain LICENCE`: when a licence's latest change reaches the national portal, and why.

The first line is the instant (ISO 8601, Asia/Shanghai) or `manual`; the lines after it count
the working days with the world's calendar (`shared.explain`).
"""

from __future__ import annotations

from certsim import world
from certsim.export import find_licence
from shared.errors import NotFound
from shared.explain import explain_change, latest_change


def cmd_explain(args) -> int:
    """Print when the licence's latest change becomes visible nationally, then the reasons."""
    with world.open_session("mem") as session:
        cert = find_licence(session, args.licence, args.item)
        entry = latest_change(session, cert.certificate_key)
        if entry is None:
            raise NotFound("licence", f"证照 {cert.licence_id} 没有待同步或已同步的变更")
        lines = explain_change(entry, world.calendar())
    print("\n".join(lines))
    return 0


def register(sub) -> None:
    """Add `certsim explain` to the command line."""
    p = sub.add_parser("explain", help="when a licence's latest change reaches the national "
                                       "portal, and the working days counted")
    p.add_argument("licence", help="证照标识, certificate key, or 证号 (with --item)")
    p.add_argument("--item", help="操作项目, when LICENCE is a 证号")
    p.set_defaults(func=cmd_explain)
