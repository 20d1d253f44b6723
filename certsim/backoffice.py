"""The ministry's back office on the command line: issue, review, renew, revoke, cancel.

Each prints the licence identifier (and the status when it changed) and works on the world's
clock and lag policy, like the control plane's `/_sim/certificates`.
"""

from __future__ import annotations

from certsim import world
from certsim.arguments import parse_day
from shared.certificates import (
    IssueCertificate,
    cancel_certificate,
    issue_certificate,
    record_review,
    renew_certificate,
    revoke_certificate,
)
from shared.models import CardVersion
from shared.recording import licence_ref
from shared.rules import STATUS_LABELS, effective_status


def register(sub) -> None:
    p = sub.add_parser("issue", help="issue a certificate at the ministry")
    p.add_argument("--name", required=True)
    p.add_argument("--id-number", required=True)
    p.add_argument("--category", required=True, help="作业类别, e.g. 电工作业")
    p.add_argument("--item", required=True, help="操作项目, e.g. 低压电工作业")
    p.add_argument("--version", choices=["new", "old"], default="new")
    p.add_argument("--issued-on", help="初领/颁发日期 YYYY-MM-DD (default: today)")
    p.add_argument("--authority", help="签发机关 (default 北京市应急管理局)")
    p.set_defaults(func=cmd_issue)
    p = sub.add_parser("review", help="record a 复审 (pass or fail)")
    p.add_argument("licence", help="证照标识 or certificate key")
    p.add_argument("--result", choices=["pass", "fail"], required=True)
    p.add_argument("--reviewed-on", help="YYYY-MM-DD (default: today)")
    p.set_defaults(func=cmd_change, action="review")
    p = sub.add_parser("renew", help="延期换证: a new version with a new validity")
    p.add_argument("licence")
    p.add_argument("--renewed-on", help="YYYY-MM-DD (default: today)")
    p.set_defaults(func=cmd_change, action="renew")
    for action, label in (("revoke", "撤销"), ("cancel", "注销")):
        p = sub.add_parser(action, help=f"{label} a certificate")
        p.add_argument("licence")
        p.add_argument("--reason", default="")
        p.set_defaults(func=cmd_change, action=action)


def cmd_issue(args) -> int:
    """Issue one certificate and print its licence identifier."""
    issued_on = parse_day(args.issued_on, "issued_on") if args.issued_on is not None else None
    issuer = world.issuer()
    cmd = IssueCertificate(name=args.name, id_number=args.id_number, category=args.category,
                           item=args.item, issued_on=issued_on, authority=args.authority,
                           card_version=CardVersion.OLD_IC if args.version == "old"
                           else CardVersion.NEW)
    with world.open_session("mem") as session:
        cert = issue_certificate(session, issuer, cmd)
        print(cert.licence_id)
        world.record(getattr(args, "line", "certsim issue"), "issue", facts={
            "certificate": licence_ref(cert), "version": args.version,
            "issued_on": args.issued_on, "authority": args.authority})
    return 0


def cmd_change(args) -> int:
    """Review, renew, revoke or cancel; print the licence identifier and its status now."""
    day = getattr(args, "reviewed_on", None) or getattr(args, "renewed_on", None)
    on = parse_day(day, f"{args.action}ed_on") if day else None
    issuer = world.issuer()
    with world.open_session("mem") as session:
        if args.action == "review":
            cert = record_review(session, issuer, args.licence, args.result, on)
        elif args.action == "renew":
            cert = renew_certificate(session, issuer, args.licence, on)
        elif args.action == "revoke":
            cert = revoke_certificate(session, issuer, args.licence, args.reason)
        else:
            cert = cancel_certificate(session, issuer, args.licence, args.reason)
        status = effective_status(cert, issuer.clock.today())
        print(f"{cert.licence_id} {STATUS_LABELS[status]}")
        world.record(getattr(args, "line", f"certsim {args.action}"), args.action, facts={
            "certificate": licence_ref(cert), "result": getattr(args, "result", None),
            "reason": getattr(args, "reason", None) or None, "dated": day})
    return 0
