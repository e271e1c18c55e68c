"""SM2 signatures over SM3 (GB/T 32918, GB/T 35276), interoperable with gmssl and OpenSSL 3.

The arithmetic is our own (see docs/adr/0005-sm2-signatures.md): Jacobian coordinates, a
precomputed fixed-base table for the generator G (4-bit windows, 64 × 15 affine points, so a
signature costs 64 mixed additions and no doubling) and the same kind of table built once per
public key and cached (so a verification costs 128 mixed additions). SM3 comes from OpenSSL
through ``hashlib`` when it offers it, from ``gmssl.sm3`` otherwise. The suite checks every
function against ``gmssl.sm2.CryptSM2`` and against ``openssl pkeyutl`` in both directions.

Signatures are made over ``SM3(Z_A ‖ M)`` with the default user ID ``1234567812345678``
(GB/T 35276) and stored DER-encoded (``SEQUENCE { INTEGER r, INTEGER s }``), as OpenSSL writes
and reads them. Python integers are not constant-time: the nonce is fresh from ``secrets`` for
every signature, and private keys only exist decrypted in memory while signing.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

DEFAULT_USER_ID = b"1234567812345678"
ALGORITHM = "SM2"

Affine = tuple[int, int] | None  # None is the point at infinity
Jacobian = tuple[int, int, int]  # Z == 0 is the point at infinity
_INF: Jacobian = (1, 1, 0)


class InvalidKey(ValueError):
    """A public or private key that is not a valid SM2 key."""


class InvalidSignature(ValueError):
    """A signature that cannot be decoded (wrong DER, truncated, out of range)."""


# --- SM3 ---------------------------------------------------------------------------------------


def _sm3_hashlib(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def _sm3_gmssl(data: bytes) -> bytes:  # pragma: no cover - only where OpenSSL lacks SM3
    from gmssl import sm3

    return bytes.fromhex(sm3.sm3_hash(list(data)))


try:
    hashlib.new("sm3", b"")
    sm3 = _sm3_hashlib
except ValueError:  # pragma: no cover
    sm3 = _sm3_gmssl


# --- point arithmetic ----------------------------------------------------------------------------


def _double(p: Jacobian) -> Jacobian:
    x1, y1, z1 = p
    if z1 == 0 or y1 == 0:
        return _INF
    # a = -3: M = 3 (X - Z²)(X + Z²)
    zz = z1 * z1 % P
    yy = y1 * y1 % P
    m = 3 * (x1 - zz) * (x1 + zz) % P
    s = 4 * x1 * yy % P
    x3 = (m * m - 2 * s) % P
    y3 = (m * (s - x3) - 8 * yy * yy) % P
    z3 = 2 * y1 * z1 % P
    return (x3, y3, z3)


def _add_mixed(p: Jacobian, q: tuple[int, int]) -> Jacobian:
    """P (Jacobian) + Q (affine, not infinity)."""
    x1, y1, z1 = p
    if z1 == 0:
        return (q[0], q[1], 1)
    x2, y2 = q
    zz = z1 * z1 % P
    u2 = x2 * zz % P
    s2 = y2 * zz * z1 % P
    h = (u2 - x1) % P
    r = (s2 - y1) % P
    if h == 0:
        if r == 0:
            return _double(p)
        return _INF
    hh = h * h % P
    hhh = h * hh % P
    v = x1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    y3 = (r * (v - x3) - y1 * hhh) % P
    z3 = z1 * h % P
    return (x3, y3, z3)


def _add(p: Jacobian, q: Jacobian) -> Jacobian:
    if q[2] == 0:
        return p
    if p[2] == 0:
        return q
    x1, y1, z1 = p
    x2, y2, z2 = q
    z1z1 = z1 * z1 % P
    z2z2 = z2 * z2 % P
    u1 = x1 * z2z2 % P
    u2 = x2 * z1z1 % P
    s1 = y1 * z2 * z2z2 % P
    s2 = y2 * z1 * z1z1 % P
    h = (u2 - u1) % P
    r = (s2 - s1) % P
    if h == 0:
        if r == 0:
            return _double(p)
        return _INF
    hh = h * h % P
    hhh = h * hh % P
    v = u1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    y3 = (r * (v - x3) - s1 * hhh) % P
    z3 = z1 * z2 * h % P
    return (x3, y3, z3)


def _to_affine(p: Jacobian) -> Affine:
    x, y, z = p
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return (x * zi2 % P, y * zi2 * zi % P)


def _batch_affine(points: list[Jacobian]) -> list[tuple[int, int]]:
    """Many points to affine with one inversion (Montgomery's trick); none may be infinity."""
    prefix = []
    acc = 1
    for _x, _y, z in points:
        prefix.append(acc)
        acc = acc * z % P
    inv = pow(acc, -1, P)
    out: list[tuple[int, int]] = [(0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z = points[i]
        zi = inv * prefix[i] % P
        inv = inv * z % P
        zi2 = zi * zi % P
        out[i] = (x * zi2 % P, y * zi2 * zi % P)
    return out


_WINDOW = 4
_WINDOWS = 256 // _WINDOW


def _fixed_base_table(point: tuple[int, int]) -> tuple[tuple[tuple[int, int], ...], ...]:
    """table[i][j - 1] = j · 16^i · point, for j = 1 … 15 and i = 0 … 63."""
    rows: list[Jacobian] = []
    base: Jacobian = (point[0], point[1], 1)
    for _i in range(_WINDOWS):
        acc = base
        row = [acc]
        for _j in range(2, 1 << _WINDOW):
            acc = _add(acc, base)
            row.append(acc)
        rows.extend(row)
        base = _double(row[7])  # 16 · base = 2 · (8 · base)
    flat = _batch_affine(rows)
    size = (1 << _WINDOW) - 1
    return tuple(tuple(flat[i * size : (i + 1) * size]) for i in range(_WINDOWS))


def _mul_fixed(table, k: int) -> Jacobian:
    acc: Jacobian = _INF
    i = 0
    while k:
        digit = k & 0xF
        if digit:
            acc = _add_mixed(acc, table[i][digit - 1])
        k >>= _WINDOW
        i += 1
    return acc


_G_TABLE = None


def _g_table():
    global _G_TABLE
    if _G_TABLE is None:
        _G_TABLE = _fixed_base_table((GX, GY))
    return _G_TABLE


@lru_cache(maxsize=256)
def _public_table(x: int, y: int):
    return _fixed_base_table((x, y))


def scalar_mult(k: int, point: tuple[int, int]) -> Affine:
    """k · point by double-and-add (for keys and tests; signing uses the tables)."""
    k %= N
    acc: Jacobian = _INF
    for bit in bin(k)[2:] if k else "":
        acc = _double(acc)
        if bit == "1":
            acc = _add_mixed(acc, point)
    return _to_affine(acc)


# --- keys ---------------------------------------------------------------------------------------


def _on_curve(x: int, y: int) -> bool:
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


@dataclass(frozen=True)
class PublicKey:
    x: int
    y: int

    @classmethod
    def from_hex(cls, text: str) -> PublicKey:
        """``04‖x‖y`` (130 hex digits) or ``x‖y`` (128, as gmssl writes it)."""
        text = (text or "").strip().lower()
        if len(text) == 130 and text.startswith("04"):
            text = text[2:]
        if len(text) != 128:
            raise InvalidKey("SM2 public key must be 64 bytes (x‖y), optionally prefixed by 04")
        try:
            x, y = int(text[:64], 16), int(text[64:], 16)
        except ValueError as exc:
            raise InvalidKey("SM2 public key is not hexadecimal") from exc
        if not _on_curve(x, y):
            raise InvalidKey("the point is not on the SM2 curve")
        return cls(x, y)

    @classmethod
    def from_pem(cls, pem: str | bytes) -> PublicKey:
        der = _pem_body(pem, "PUBLIC KEY")
        if not der.startswith(_SPKI_PREFIX) or len(der) != len(_SPKI_PREFIX) + 64:
            raise InvalidKey("not an SM2 SubjectPublicKeyInfo")
        return cls.from_hex(der[len(_SPKI_PREFIX) :].hex())

    @property
    def hex(self) -> str:
        """``04‖x‖y`` in lower-case hex, 130 digits."""
        return f"04{self.x:064x}{self.y:064x}"

    @property
    def xy_bytes(self) -> bytes:
        return self.x.to_bytes(32, "big") + self.y.to_bytes(32, "big")

    def to_der(self) -> bytes:
        return _SPKI_PREFIX + self.xy_bytes

    def to_pem(self) -> str:
        return _pem("PUBLIC KEY", self.to_der())


@dataclass(frozen=True)
class PrivateKey:
    d: int

    @classmethod
    def generate(cls) -> PrivateKey:
        # d in [1, n - 2]: (1 + d) must be invertible mod n
        return cls(secrets.randbelow(N - 2) + 1)

    @classmethod
    def from_hex(cls, text: str) -> PrivateKey:
        try:
            d = int(text, 16)
        except ValueError as exc:
            raise InvalidKey("SM2 private key is not hexadecimal") from exc
        if not 1 <= d <= N - 2:
            raise InvalidKey("SM2 private key out of range")
        return cls(d)

    @property
    def hex(self) -> str:
        return f"{self.d:064x}"

    def public_key(self) -> PublicKey:
        point = _to_affine(_mul_fixed(_g_table(), self.d))
        assert point is not None
        return PublicKey(*point)

    def __repr__(self) -> str:  # never print the secret
        return "PrivateKey(…)"


def generate_keypair() -> tuple[PrivateKey, PublicKey]:
    private = PrivateKey.generate()
    return private, private.public_key()


# --- signatures ---------------------------------------------------------------------------------


def z_value(public: PublicKey, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)."""
    entl = (len(user_id) * 8).to_bytes(2, "big")
    parts = [entl, user_id] + [v.to_bytes(32, "big") for v in (A, B, GX, GY, public.x, public.y)]
    return sm3(b"".join(parts))


@lru_cache(maxsize=1024)
def _z_cached(x: int, y: int, user_id: bytes) -> bytes:
    return z_value(PublicKey(x, y), user_id)


def message_digest(message: bytes, public: PublicKey, user_id: bytes = DEFAULT_USER_ID) -> int:
    """e = SM3(Z_A ‖ M) as an integer."""
    return int.from_bytes(sm3(_z_cached(public.x, public.y, user_id) + message), "big")


def sign_digest(e: int, private: PrivateKey, k: int | None = None) -> tuple[int, int]:
    """The raw SM2 signature (r, s) of the digest integer e; k for known-answer tests only."""
    d = private.d
    inv = pow(1 + d, -1, N)
    while True:
        nonce = k if k is not None else secrets.randbelow(N - 1) + 1
        point = _to_affine(_mul_fixed(_g_table(), nonce))
        assert point is not None
        r = (e + point[0]) % N
        if r == 0 or r + nonce == N:
            if k is not None:
                raise ValueError("this nonce gives no signature")
            continue
        s = inv * (nonce - r * d) % N
        if s == 0:
            if k is not None:
                raise ValueError("this nonce gives no signature")
            continue
        return r, s


def verify_digest(e: int, rs: tuple[int, int], public: PublicKey) -> bool:
    r, s = rs
    if not (1 <= r < N and 1 <= s < N):
        return False
    t = (r + s) % N
    if t == 0:
        return False
    point = _add(_mul_fixed(_g_table(), s), _mul_fixed(_public_table(public.x, public.y), t))
    affine = _to_affine(point)
    if affine is None:
        return False
    return (e + affine[0]) % N == r


def sign(
    message: bytes, private: PrivateKey, public: PublicKey | None = None, *, user_id=DEFAULT_USER_ID
) -> bytes:
    """The DER-encoded SM2-with-SM3 signature of ``message``."""
    public = public or private.public_key()
    r, s = sign_digest(message_digest(message, public, user_id), private)
    return der_encode(r, s)


def verify(
    message: bytes, signature_der: bytes, public: PublicKey, *, user_id=DEFAULT_USER_ID
) -> bool:
    """True when ``signature_der`` is a valid SM2-with-SM3 signature of ``message``; any
    malformed signature (bad DER, truncated, out of range) is simply not valid."""
    try:
        rs = der_decode(signature_der)
    except InvalidSignature:
        return False
    return verify_digest(message_digest(message, public, user_id), rs, public)


# --- DER and PEM --------------------------------------------------------------------------------

# SEQUENCE { SEQUENCE { id-ecPublicKey, sm2p256v1 }, BIT STRING 04‖x‖y }
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d03420004")


def _der_int(value: int) -> bytes:
    body = value.to_bytes((value.bit_length() + 8) // 8, "big")  # leading 0 when the top bit set
    return b"\x02" + bytes([len(body)]) + body


def der_encode(r: int, s: int) -> bytes:
    body = _der_int(r) + _der_int(s)
    return b"\x30" + bytes([len(body)]) + body


def _der_read_int(data: bytes, pos: int) -> tuple[int, int]:
    if pos + 2 > len(data) or data[pos] != 0x02:
        raise InvalidSignature("expected an INTEGER")
    length = data[pos + 1]
    start = pos + 2
    if length == 0 or length > 33 or start + length > len(data):
        raise InvalidSignature("bad INTEGER length")
    body = data[start : start + length]
    if body[0] & 0x80:
        raise InvalidSignature("negative INTEGER")
    if length > 1 and body[0] == 0 and not body[1] & 0x80:
        raise InvalidSignature("INTEGER not minimally encoded")
    return int.from_bytes(body, "big"), start + length


def der_decode(signature: bytes) -> tuple[int, int]:
    """(r, s) from a strict DER ``SEQUENCE { INTEGER r, INTEGER s }``."""
    data = bytes(signature or b"")
    if len(data) < 8 or data[0] != 0x30 or data[1] != len(data) - 2:
        raise InvalidSignature("not a DER SEQUENCE of the right length (truncated?)")
    r, pos = _der_read_int(data, 2)
    s, pos = _der_read_int(data, pos)
    if pos != len(data):
        raise InvalidSignature("trailing data after the signature")
    if not (1 <= r < N and 1 <= s < N):
        raise InvalidSignature("r or s out of range")
    return r, s


def raw_to_der(rs_hex: str) -> bytes:
    """gmssl's ``r‖s`` hex (128 digits) to DER."""
    return der_encode(int(rs_hex[:64], 16), int(rs_hex[64:128], 16))


def der_to_raw(signature: bytes) -> str:
    r, s = der_decode(signature)
    return f"{r:064x}{s:064x}"


def _pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def _pem_body(pem: str | bytes, label: str) -> bytes:
    text = pem.decode() if isinstance(pem, bytes) else pem
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----"
    if begin not in text or end not in text:
        raise InvalidKey(f"not a PEM {label}")
    body = text.split(begin, 1)[1].split(end, 1)[0]
    try:
        return base64.b64decode("".join(body.split()), validate=True)
    except ValueError as exc:
        raise InvalidKey("bad base64 in PEM") from exc


def fingerprint(public: PublicKey) -> str:
    """The first 16 hex digits of SM3(04‖x‖y): short, stable, printable."""
    return sm3(bytes.fromhex(public.hex)).hex()[:16]
