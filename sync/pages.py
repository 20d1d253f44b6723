"""Feed pages passed through the replicator without decoding each change.

The ministry writes a feed page as its head (`next_after`, `until`, `next_due_at` and `ids`, the
`[seq, change_id]` of each change) followed by the changes, last:
`{"next_after":…,"ids":[[1,"…"],…],"changes":[…]}`. The replicator decodes the head only and
forwards the changes to the national ingest as the bytes it received (orjson.Fragment): it
needs a change's sequence number and id, never its licence, and the national portal checks
every field anyway. A page in any other shape is decoded whole, as before.

Nothing is trusted more than before: the national portal answers one outcome per change it
parsed, and the replicator refuses an answer whose change ids differ from `ids`, so a head that
misdescribed its changes would stop the run instead of acknowledging anything.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

CHANGES_KEY = b',"changes":['


class PassedChanges(Sequence):
    """The changes of one page: their JSON bytes as received, and `(seq, change_id)` of each.

    It is a read-only sequence of change dicts for whoever needs one (a transport that
    inspects a batch, a test): the bytes are decoded on first use only.
    """

    __slots__ = ("raw", "ids", "_decoded")

    def __init__(self, raw: bytes, ids: list[tuple[int, str]], decoded: list | None = None):
        self.raw, self.ids, self._decoded = raw, ids, decoded

    @classmethod
    def of(cls, changes: list[dict]) -> PassedChanges:
        """Wrap changes that were decoded already (a page in the older, whole shape)."""
        return cls(orjson.dumps(changes), [(c["seq"], c["change_id"]) for c in changes], changes)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if self._decoded is None:
            self._decoded = orjson.loads(self.raw)
        return self._decoded[index]

    def __repr__(self) -> str:
        return f"PassedChanges({len(self.ids)} changes, {len(self.raw)} bytes)"


def as_fragment(value):
    """orjson's `default`: write passed changes as the bytes they arrived as."""
    if isinstance(value, PassedChanges):
        return orjson.Fragment(value.raw)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def split_page(data: bytes) -> dict | None:
    """Return a feed page with its head decoded and its changes kept as bytes.

    None when the page is not in the head-first shape (the caller then decodes it whole). The
    key is found by its bytes: inside a JSON string every `"` is escaped, so `,"changes":[`
    can only be the page's own key, and a head that is not a flat object fails to decode.
    """
    at = data.find(CHANGES_KEY)
    if at < 0 or not data.endswith(b"]}"):
        return None
    try:
        head = orjson.loads(data[:at] + b"}")
    except orjson.JSONDecodeError:
        return None
    ids = head.pop("ids", None) if isinstance(head, dict) else None
    if not isinstance(ids, list) or not all(
            isinstance(i, list) and len(i) == 2 and i[0].__class__ is int
            and isinstance(i[1], str) for i in ids):
        return None
    head["changes"] = PassedChanges(data[at + len(CHANGES_KEY) - 1:-1],
                                    [(seq, change_id) for seq, change_id in ids])
    return head
