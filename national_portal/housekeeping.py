"""Control-plane services: what the portal holds, and emptying it between scenarios."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from national_portal.models import LicenceBinding
from shared.accounts.models import Account
from shared.db import tables_for
from shared.models import AppliedChange, Licence


def portal_counts(session: Session) -> dict[str, int]:
    """Count accounts, replicated licences, applied changes and bindings (open and all)."""
    counts = {name: session.scalar(select(func.count()).select_from(model)) or 0
              for name, model in (("accounts", Account), ("licences", Licence),
                                  ("applied_changes", AppliedChange),
                                  ("bindings", LicenceBinding))}
    counts["open_bindings"] = session.scalar(select(func.count()).select_from(
        LicenceBinding).where(LicenceBinding.unbound_at.is_(None))) or 0
    return counts


def reset_portal(session: Session) -> None:
    """Empty every table of the national database, children first."""
    for table in reversed(tables_for("national")):
        session.execute(delete(table))
    session.commit()
