"""`certsim openapi --out docs/openapi/`: write the OpenAPI documents the portals serve.

Four files: each portal's JSON API with its side of the replication wire (`mem-api.json`,
`national-api.json`, served at /api/v1/openapi.json) and its control plane (`mem-control.json`,
`national-control.json`, served at /_sim/openapi.json). They are built from the portals'
routes exactly as served; a test keeps the checked-in copies equal to this command's output.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from certsim import apps
from shared.clock import SHANGHAI, SimulatedClock
from shared.web.openapi.portal import api_document, control_document, document_text
from shared.web.openapi.views import CONTRACT

PORTALS = {"mem": apps.ministry, "national": apps.national}


def documents() -> Iterator[tuple[str, str]]:
    """Yield (file name, text) of every document, from apps built with the control plane on."""
    clock = SimulatedClock(datetime(2026, 1, 1, tzinfo=SHANGHAI))  # the documents keep no time
    for name, build in PORTALS.items():
        key = secrets.token_hex(16)  # never a development secret: no warning, nothing kept
        app = build({"DATABASE_URL": "sqlite://", "SIM_ENABLED": True, "SECRET_KEY": key,
                     "SYNC_SECRET": key, "SEAL_SEED": key}, clock=clock)
        contract = app.extensions[CONTRACT]
        yield f"{name}-api.json", document_text(api_document(app, contract))
        yield f"{name}-control.json", document_text(control_document(app, contract))


def cmd_openapi(args) -> int:
    """Write every document into the folder given."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in documents():
        (out / name).write_text(text, encoding="utf-8")
        print(out / name)
    return 0


def register(sub) -> None:
    """Add `certsim openapi` to the command line."""
    p = sub.add_parser("openapi", help="write the portals' OpenAPI documents")
    p.add_argument("--out", default="docs/openapi", help="folder (default docs/openapi)")
    p.set_defaults(func=cmd_openapi)
