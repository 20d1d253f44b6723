"""我的证照 on both portals; 预览 and 下载 on the ministry's; 绑定, 解除绑定, 查看详情 nationally."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from scenarios.actions import action
from scenarios.actions.accounts import portal_of
from scenarios.context import Context, Outcome
from scenarios.guidance import answer_facts
from scenarios.model import Step
from scenarios.portals import ApiError

LICENCE_TYPE = "特种作业操作证"


def key_of(row: dict) -> str:
    """Return a listed licence's certificate key (the ministry says `key`, the nation more)."""
    return row.get("certificate_key") or row.get("key")


@action("mem.my_licences", "national.my_licences")
def my_licences(ctx: Context, step: Step) -> Outcome:
    """Open 我的证照 and report which licences are listed."""
    name = portal_of(step)
    reply = ctx.portal(name).call("GET", "/api/v1/licences", token=ctx.token(name, step))
    if reply.status >= 400:
        raise ApiError.from_reply(reply, f"{name} GET /api/v1/licences")
    listed = [ctx.alias_of(key_of(row)) for row in reply.data.get("licences", [])]
    return Outcome(facts={"count": len(listed), "listed": listed, **answer_facts(reply)},
                   summary=f"{len(listed)} 个证照" + (f": {', '.join(listed)}" if listed else ""))


@action("mem.preview")
def preview(ctx: Context, step: Step) -> Outcome:
    """预览: the licence face as the ministry shows it."""
    reply = _licence_call(ctx, step, "mem", "GET", "")
    return Outcome(facts={"text": reply.text}, summary="预览")


@action("mem.download")
def download(ctx: Context, step: Step) -> Outcome:
    """下载: the licence file; report its format and the text it carries."""
    reply = _licence_call(ctx, step, "mem", "GET", "/download")
    kind, text = read_document(reply.content_type, reply.body)
    return Outcome(facts={"format": kind, "text": text},
                   summary=f"下载 {kind or reply.content_type} {len(reply.body)} 字节")


def read_document(content_type: str, data: bytes) -> tuple[str | None, str]:
    """Return ("ofd", its text) for an OFD package, else (None, the body as text)."""
    if not data.startswith(b"PK"):
        return None, data.decode("utf-8", "replace")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        if "OFD.xml" not in names or "ofd" not in content_type:
            return None, ""
        texts = [_xml_text(package.read(n)) for n in names if n.lower().endswith(".xml")]
    return "ofd", "\n".join(texts)


def _xml_text(data: bytes) -> str:
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError:
        return ""
    attributes = " ".join(v for el in root.iter() for v in el.attrib.values())
    return "".join(root.itertext()) + " " + attributes


@action("national.bind")
def bind(ctx: Context, step: Step) -> Outcome:
    """绑定证照 (特种作业操作证): report the licences this step bound."""
    reply = ctx.world.national.call("POST", "/api/v1/licences/bind", {"type": LICENCE_TYPE},
                                    token=ctx.token("national", step))
    if reply.status >= 400:
        raise ApiError.from_reply(reply, "national POST /api/v1/licences/bind")
    bound = [ctx.alias_of(key) for key in reply.data.get("bound", [])]
    for alias in bound:
        ctx.event("national", "bound", alias, f"{alias} 绑定")
    count = len(reply.data.get("licences", []))
    said = f"（{reply.data['message']}）" if reply.data.get("message") else ""
    return Outcome(facts={"bound": bound, "count": count, **answer_facts(reply)},
                   summary=f"绑定 {', '.join(bound) or '无'}{said}；共 {count} 个证照")


@action("national.unbind")
def unbind(ctx: Context, step: Step) -> Outcome:
    """解除绑定."""
    _licence_call(ctx, step, "national", "DELETE", "/binding")
    ctx.event("national", "unbound", step.certificate, f"{step.certificate} 解除绑定")
    return Outcome(summary=f"已解除绑定 {step.certificate}")


@action("national.details")
def details(ctx: Context, step: Step) -> Outcome:
    """查看详情: the licence as replicated, with its status."""
    reply = _licence_call(ctx, step, "national", "GET", "")
    licence = reply.data.get("licence", {})
    return Outcome(facts={"text": reply.text, "status": licence.get("status")},
                   summary=f"状态 {licence.get('status_label') or licence.get('status')}")


def _licence_call(ctx: Context, step: Step, name: str, method: str, suffix: str):
    """Call `/api/v1/licences/<key><suffix>` as the step's person; raise on an error."""
    path = f"/api/v1/licences/{ctx.key(step.certificate)}{suffix}"
    reply = ctx.portal(name).call(method, path, token=ctx.token(name, step))
    if reply.status >= 400:
        raise ApiError.from_reply(reply, f"{name} {method} {path}")
    return reply
