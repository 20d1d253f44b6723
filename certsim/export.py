"""`certsim export LICENCE --out FILE.ofd`: the back office writes a licence's OFD file.

The bytes are those the portal's 下载 serves at the same moment: the same renderer, the same
verification URL (MEM_PUBLIC_URL + /verify/<证照标识>) and the same seal key.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsim import world
from certsim.arguments import parse_moment
from certsim.keys import secret_of
from shared.certificates import get_certificate
from shared.clock import SHANGHAI
from shared.errors import InvalidInput, NotEligible, NotFound
from shared.models import Certificate
from shared.ofd import render_licence_ofd
from shared.ofd.seal import seal_key
from shared.rules import e_licence_eligibility

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8001"  # the ministry portal under `make run`
ZIP_YEARS = range(1980, 2108)  # the years a zip entry's timestamp can carry


def find_licence(session: Session, licence: str, item: str | None) -> Certificate:
    """Find a certificate by licence identifier or key, or by 证号 plus 操作项目."""
    if item is None:
        try:
            return get_certificate(session, licence)
        except NotFound:
            pass
    query = select(Certificate).where(Certificate.cert_number == licence)
    matches = list(session.scalars(query if item is None else query.where(Certificate.item == item)))
    if not matches:
        raise NotFound("licence", f"证照不存在: {licence}" + (f" / {item}" if item else ""))
    if len(matches) > 1:
        items = "、".join(cert.item for cert in matches)
        raise InvalidInput("--item", f"证号 {licence} 有多个操作项目（{items}），请用 --item 指定")
    return matches[0]


def verify_url_of(cert: Certificate, public_url: str) -> str:
    """Return the verification URL the QR code carries (the portal's verify_path)."""
    return f"{public_url.rstrip('/')}/verify/{quote(cert.licence_id, safe='')}"


def cmd_export(args) -> int:
    """Write one licence's sealed OFD file and print where it went."""
    clock = world.clock()
    generated_at = parse_moment(args.at, "--at") if args.at is not None else clock.now()
    if generated_at.astimezone(SHANGHAI).year not in ZIP_YEARS:
        raise InvalidInput("--at", f"must fall in {ZIP_YEARS[0]}..{ZIP_YEARS[-1]} "
                                   f"(the dates an OFD file can carry), not {generated_at.isoformat()}")
    public_url = args.public_url or os.environ.get("MEM_PUBLIC_URL") or DEFAULT_PUBLIC_URL
    with world.open_session("mem") as session:
        cert = find_licence(session, args.licence, args.item)
        eligibility = e_licence_eligibility(cert, generated_at)
        if not eligibility.eligible and not args.force:
            raise NotEligible("licence", f"{eligibility.message}（后台导出可加 --force）")
        data = render_licence_ofd(cert, generated_at=generated_at,
                                  verify_url=verify_url_of(cert, public_url),
                                  seal=seal_key(secret_of("CERTSIM_SEAL_SEED", dict(os.environ),
                                                          world.settings().var_dir)))
    out = Path(args.out)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise InvalidInput("--out", f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"{out}: {len(data)} bytes, {cert.licence_id} ({cert.holder_name} {cert.item})")
    return 0


def register(sub) -> None:
    """Add `certsim export` to the command line."""
    p = sub.add_parser("export", help="write a licence's OFD file, as the portal serves it")
    p.add_argument("licence", help="证照标识, certificate key, or 证号 (with --item)")
    p.add_argument("--item", help="操作项目, when LICENCE is a 证号")
    p.add_argument("--out", required=True, help="where to write the .ofd file")
    p.add_argument("--at", help="generation time, ISO (default: the clock's now)")
    p.add_argument("--public-url", help="base URL in the QR code (default MEM_PUBLIC_URL)")
    p.add_argument("--force", action="store_true",
                   help="export even if the holder could not download it (old card, revoked…)")
    p.set_defaults(func=cmd_export)
