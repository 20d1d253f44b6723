"""SM2 signatures with SM3 (GB/T 32918, GB/T 32905) for the simulated seal.

Signing uses our own fixed-base comb over the generator (a few hundred big-int operations,
fast enough to sign every download); verification is done by the `gmssl` package, an
independent implementation, so a signature we cannot get right would never verify.
Nonces are derived from the key and the digest (in the spirit of RFC 6979): the same file
signed twice gives the same bytes, which the golden test relies on.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property, lru_cache

from gmssl import sm2 as gm_sm2

P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0
DEFAULT_USER_ID = b"1234567812345678"  # GM/T 0009 default signer ID
WINDOW = 6  # bits of k per table row: 43 additions a signature
SM2_WITH_SM3_OID = "1.2.156.10197.1.501"
SM3_OID = "1.2.156.10197.1.401"


def sm3(data: bytes) -> bytes:
    """Return the SM3 digest of `data` (OpenSSL through hashlib)."""
    return hashlib.new("sm3", data).digest()


def _double(pt):
    x, y, z = pt
    if not y:
        return (0, 1, 0)
    yy = y * y % P
    s = 4 * x * yy % P
    zz = z * z % P
    m = (3 * x * x + A * zz * zz) % P
    x3 = (m * m - 2 * s) % P
    return (x3, (m * (s - x3) - 8 * yy * yy) % P, 2 * y * z % P)


def _affine(pt) -> tuple[int, int]:
    zinv = pow(pt[2], -1, P)
    zinv2 = zinv * zinv % P
    return pt[0] * zinv2 % P, pt[1] * zinv2 * zinv % P


def _add_affine(p1, x2: int, y2: int):
    """Add an affine point (x2, y2), never the point at infinity, to a Jacobian point (z = 0
    is the point at infinity): the table's points are affine, which saves five of the sixteen
    products of an addition of two Jacobian points."""
    if not p1[2]:
        return (x2, y2, 1)
    x1, y1, z1 = p1
    z1z1 = z1 * z1 % P
    u2, s2 = x2 * z1z1 % P, y2 * z1 * z1z1 % P
    if x1 == u2:
        return _double(p1) if y1 == s2 else (0, 1, 0)
    h, r = (u2 - x1) % P, (s2 - y1) % P
    hh = h * h % P
    hhh = h * hh % P
    v = x1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return (x3, (r * (v - x3) - y1 * hhh) % P, z1 * h % P)


@lru_cache(maxsize=1)
def _generator_table() -> list[list[tuple[int, int] | None]]:
    """Precompute j * 2^(WINDOW*i) * G in affine coordinates for every window i and digit j
    (None for j = 0), once per process (~25–40 ms)."""
    table, base = [], (GX, GY)  # affine: each row is built with mixed additions too
    for _ in range(-(-256 // WINDOW)):
        row = [(*base, 1)]
        for _ in range((1 << WINDOW) - 2):
            row.append(_add_affine(row[-1], *base))
        table.append([None, *_to_affine(row)])
        point = row[0]
        for _ in range(WINDOW):
            point = _double(point)
        base = _affine(point)
    return table


def _to_affine(points: list) -> list[tuple[int, int]]:
    """Return Jacobian points in affine coordinates with one inversion for all (Montgomery's
    trick: invert the product of every z, then peel each inverse off)."""
    prefix, running = [], 1
    for _, _, z in points:
        prefix.append(running)
        running = running * z % P
    inverse, affine = pow(running, -1, P), [None] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z = points[i]
        zinv, inverse = inverse * prefix[i] % P, inverse * z % P
        zinv2 = zinv * zinv % P
        affine[i] = (x * zinv2 % P, y * zinv2 * zinv % P)
    return affine


def multiply_generator(k: int) -> tuple[int, int]:
    """Return k * G in affine coordinates (1 <= k < N)."""
    acc, digit_mask = (0, 1, 0), (1 << WINDOW) - 1
    for row in _generator_table():
        point = row[k & digit_mask]
        if point is not None:
            acc = _add_affine(acc, *point)
        k >>= WINDOW
    return _affine(acc)


@dataclass(frozen=True)
class SealKey:
    """The simulator's seal key pair; `private` never leaves the process."""

    private: int

    @classmethod
    def from_seed(cls, seed: str) -> SealKey:
        """Derive a key pair deterministically from a configuration secret."""
        digest = sm3(b"certsim simulated seal key\x00" + seed.encode("utf-8"))
        return cls(int.from_bytes(digest, "big") % (N - 2) + 1)

    @cached_property
    def public_hex(self) -> str:
        """Return the public key as 128 hex digits (x || y), gmssl's format."""
        x, y = multiply_generator(self.private)
        return f"{x:064x}{y:064x}"

    @cached_property
    def z_value(self) -> bytes:
        """Return Z_A, the hash of the signer's identity and public key."""
        return z_value(self.public_hex)

    def sign(self, message: bytes) -> bytes:
        """Return the DER signature SEQUENCE {r, s} of `message` (SM2 with SM3)."""
        e = int.from_bytes(sm3(self.z_value + message), "big")
        counter = 0
        while True:
            k = self._nonce(e, counter)
            r = (e + multiply_generator(k)[0]) % N
            s = self._inverse * (k - r * self.private) % N
            if r and r + k != N and s:
                return der_signature(r, s)
            counter += 1

    @cached_property
    def _inverse(self) -> int:
        """Return (1 + d)^-1 mod n, the same for every signature of this key."""
        return pow(1 + self.private, -1, N)

    def _nonce(self, e: int, counter: int) -> int:
        mac = hmac.new(self.private.to_bytes(32, "big"),
                       e.to_bytes(32, "big") + counter.to_bytes(4, "big"), "sm3")
        return int.from_bytes(mac.digest(), "big") % (N - 1) + 1


def verify_signature(public_hex: str, message: bytes, der: bytes) -> bool:
    """Check an SM2-with-SM3 signature with gmssl (default signer ID)."""
    try:
        r, s = parse_der_signature(der)
    except ValueError:
        return False
    if not (0 < r < N and 0 < s < N):
        return False
    checker = gm_sm2.CryptSM2(private_key="", public_key=public_hex)
    e = sm3(z_value(public_hex) + message)
    return bool(checker.verify(f"{r:064x}{s:064x}", e))


def z_value(public_hex: str) -> bytes:
    """Return Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)."""
    parts = [len(DEFAULT_USER_ID * 8).to_bytes(2, "big"), DEFAULT_USER_ID]
    parts += [v.to_bytes(32, "big") for v in (A, B, GX, GY)]
    return sm3(b"".join(parts) + bytes.fromhex(public_hex))


def der_signature(r: int, s: int) -> bytes:
    """Encode (r, s) as a DER SEQUENCE of two INTEGERs."""
    body = _der_integer(r) + _der_integer(s)
    return b"\x30" + _der_length(len(body)) + body


def parse_der_signature(der: bytes) -> tuple[int, int]:
    """Decode a DER SEQUENCE {r, s}, else raise ValueError."""
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise ValueError("not a DER SM2 signature")
    values, pos = [], 2
    for _ in range(2):
        if der[pos] != 0x02:
            raise ValueError("INTEGER expected")
        size = der[pos + 1]
        values.append(int.from_bytes(der[pos + 2:pos + 2 + size], "big"))
        pos += 2 + size
    if pos != len(der):
        raise ValueError("trailing bytes after the signature")
    return values[0], values[1]


def _der_integer(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big")
    return b"\x02" + _der_length(len(raw)) + raw


def _der_length(size: int) -> bytes:
    return bytes([size]) if size < 0x80 else b"\x81" + bytes([size])
