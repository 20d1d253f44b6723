"""The simulated electronic seal: SM3 digests of every part and an SM2 signature over them.

Layout (GB/T 33190 §18): OFD.xml → Doc_0/Signs/Signatures.xml → Sign_0/Signature.xml, whose
SignedInfo lists an SM3 digest per protected part; SignedValue.dat holds the DER SM2
signature of Signature.xml's bytes. The key is the simulator's own, derived from a secret seed
of its own (CERTSIM_SEAL_SEED, never another secret): real readers see a well-formed signature
they cannot trust, and certsim's verifier checks it. It is labelled 模拟电子印章 everywhere.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from functools import lru_cache

from shared.ofd.page import box, root, sub, xml_bytes
from shared.ofd.sm2 import SM2_WITH_SM3_OID, SM3_OID, SealKey, sm3

SIGNS_DIR = "Doc_0/Signs/"
SIGNATURES = SIGNS_DIR + "Signatures.xml"
SIGNATURE = SIGNS_DIR + "Sign_0/Signature.xml"
SIGNED_VALUE = SIGNS_DIR + "Sign_0/SignedValue.dat"
PROVIDER = "certsim 模拟电子印章"
COMPANY = "certsim 仿真环境（非真实签章）"


@lru_cache(maxsize=8)
def seal_key(seed: str) -> SealKey:
    """Return the seal key derived from a secret seed (cached: deriving costs an SM2 point)."""
    return SealKey.from_seed(seed)


def digest_b64(data: bytes) -> str:
    """Return the base64 SM3 digest of one part, as CheckValue carries it."""
    return base64.b64encode(sm3(data)).decode("ascii")


def signature_time(moment: datetime) -> str:
    """Write SignatureDateTime as real files do: 20240927090000Z."""
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def seal_parts(parts: dict[str, bytes], key: SealKey, *, signed_at: datetime, page_id: int,
               stamp_box: tuple[float, ...]) -> dict[str, bytes]:
    """Return the three signature parts protecting every part in `parts` (sign last)."""
    signatures = root("Signatures")
    sub(signatures, "MaxSignId", "1")
    sub(signatures, "Signature", ID="1", Type="Seal", BaseLoc="Sign_0/Signature.xml")
    signature = root("Signature")
    info = sub(signature, "SignedInfo")
    sub(info, "Provider", ProviderName=PROVIDER, Version="1.0", Company=COMPANY)
    sub(info, "SignatureMethod", SM2_WITH_SM3_OID)
    sub(info, "SignatureDateTime", signature_time(signed_at))
    references = sub(info, "References", CheckMethod=SM3_OID)
    for name, data in parts.items():
        reference = sub(references, "Reference", FileRef="/" + name)
        sub(reference, "CheckValue", digest_b64(data))
    sub(info, "StampAnnot", ID="1", PageRef=str(page_id), Boundary=box(stamp_box))
    sub(signature, "SignedValue", "SignedValue.dat")
    signed = xml_bytes(signature)
    return {SIGNATURES: xml_bytes(signatures), SIGNATURE: signed,
            SIGNED_VALUE: key.sign(signed)}
