"""Tables of the ministry's database (`TABLES`): the issuance core's, the accounts, the nonces.

The ministry portal declares no table of its own: its certificates, outbox and replication
state are the issuance core's (`shared.models`), its accounts and logins those both portals
keep (`shared.accounts.models`).
"""

from __future__ import annotations

from shared.accounts.models import ACCOUNT_TABLES
from shared.models import Certificate, OutboxEntry, ReplicationState, ReviewRecord, UsedNonce

TABLES = (*ACCOUNT_TABLES, UsedNonce.__table__, Certificate.__table__,
          ReviewRecord.__table__, OutboxEntry.__table__, ReplicationState.__table__)
# What the world holds, as against bookkeeping: the replicator's lease and last run, and the
# nonces of signed calls (kept by wall-clock time).
DATA_TABLES = tuple(t for t in TABLES if t not in (ReplicationState.__table__,
                                                   UsedNonce.__table__))
