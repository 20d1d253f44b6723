"""The ministry's back office through its control plane: issue, review, renew, revoke, cancel;
and `check`, which compares the ministry's latest change with the national copy."""

from __future__ import annotations

from datetime import datetime

from scenarios.actions import action
from scenarios.context import KIND_LABELS, Context, Outcome
from scenarios.model import Step
from scenarios.portals import ApiError
from scenarios.timing import shanghai_date
from shared.clock import SHANGHAI


@action("issue")
def issue(ctx: Context, step: Step) -> Outcome:
    """签发: the ministry issues a certificate; `as` names it for later steps."""
    person, params = ctx.person(step), step.params
    body = {"name": person.name, "id_number": person.id_number, "category": params["category"],
            "item": params["item"], "version": params.get("version", "new"),
            "issued_on": params.get("issued_on"), "authority": params.get("authority")}
    answer = ctx.world.mem.ok("POST", "/_sim/certificates", body)
    alias = params.get("as") or answer["certificate_key"]
    ctx.certificates[alias] = answer["certificate_key"]
    version = "旧版" if answer.get("card_version") == "old_ic" else "新版"
    ctx.event("ministry", "issued", alias, f"{alias} 签发（{version}）")
    return Outcome(facts={"status": answer.get("status")},
                   summary=f"{alias} = {answer['certificate_key']}，{version}，"
                           f"有效期至 {answer.get('valid_to')}")


@action("review", "renew", "revoke", "cancel")
def change(ctx: Context, step: Step) -> Outcome:
    """复审 (result pass|fail), 延期换证, 撤销 or 注销 a named certificate."""
    body = {k: step.params[k] for k in ("result", "reason") if k in step.params}
    key = ctx.key(step.certificate)
    answer = ctx.world.mem.ok("POST", f"/_sim/certificates/{key}/{step.action}", body)
    kind = _latest_kind(ctx, key)
    verdict = {"pass": "合格", "fail": "不合格"}.get(step.params.get("result"), "")
    label = KIND_LABELS.get(kind, kind) + (verdict if kind == "reviewed" else "")
    ctx.event("ministry", kind, step.certificate, f"{step.certificate} {label}")
    return Outcome(facts={"status": answer.get("status")},
                   summary=f"状态 {answer.get('status_label') or answer.get('status')}，"
                           f"第 {answer.get('licence_version')} 版")


def _latest_kind(ctx: Context, key: str) -> str:
    rows = ctx.world.mem.ok("GET", f"/_sim/outbox?key={key}&limit=1000")["changes"]
    return rows[-1]["kind"] if rows else "reviewed"


def _shanghai_iso(moment: str | None) -> str | None:
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).isoformat() if moment else None


@action("check")
def check(ctx: Context, step: Step) -> Outcome:
    """Report the latest change: replicated nationally?, visible from when, status at the ministry."""
    key = ctx.key(step.certificate)
    certificate = ctx.world.mem.ok("GET", f"/_sim/certificates/{key}")
    latest = ctx.latest_change(key, step.number)
    visible_at = latest.get("visible_at") if latest else None
    visible_from = shanghai_date(datetime.fromisoformat(visible_at)).isoformat() \
        if visible_at else None
    try:
        copy = ctx.world.national.ok("GET", f"/_sim/licences/{key}")
    except ApiError as exc:
        if exc.code != "not_found":
            raise
        copy = None
    national_revision = copy.get("revision", 0) if copy is not None else 0
    replicated = national_revision >= certificate["revision"]
    facts = {"status": certificate["status"], "replicated": replicated,
             "visible_from": visible_from, "national_revision": national_revision,
             "visible_at": _shanghai_iso(visible_at)}
    return Outcome(facts=facts, summary=f"状态 {certificate['status']}，"
                   f"{'已同步' if replicated else '未同步'}，国家平台可见自 {visible_from}")
