"""SM2/SM3 of our own against gmssl (both directions), DER and PEM, malformed input."""

from __future__ import annotations

import hashlib

import pytest
from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.licences import crypto


@pytest.fixture(scope="module")
def keypair():
    return crypto.generate_keypair()


def _gmssl(private, public):
    gm = gm_sm2.CryptSM2(private_key=private.hex, public_key=public.hex[2:])
    # gmssl strips a leading "04" with str.lstrip("04"), which also eats the
    # leading 0/4 digits of x (about one key in eight); set the key directly.
    gm.public_key = public.hex[2:]
    return gm


def test_sm3_matches_gmssl_and_the_standard_vector():
    # GB/T 32905 appendix A example 1
    assert crypto.sm3(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    data = "电子证照".encode() * 10
    assert crypto.sm3(data).hex() == gm_sm3.sm3_hash(list(data))


def test_public_key_derivation_matches_gmssl(keypair):
    private, public = keypair
    gm = _gmssl(private, public)
    assert gm._kg(private.d, gm_sm2.default_ecc_table["g"]) == public.hex[2:]
    assert crypto.scalar_mult(private.d, (crypto.GX, crypto.GY)) == (public.x, public.y)


def test_our_signature_verifies_with_gmssl(keypair):
    private, public = keypair
    message = '{"name":"张三"}'.encode()
    signature = crypto.sign(message, private, public)
    assert _gmssl(private, public).verify_with_sm3(crypto.der_to_raw(signature), message)


def test_gmssl_signature_verifies_with_ours(keypair):
    private, public = keypair
    message = b"tongban"
    raw = _gmssl(private, public).sign_with_sm3(message)
    assert crypto.verify(message, crypto.raw_to_der(raw), public) is True
    assert crypto.verify(message + b"!", crypto.raw_to_der(raw), public) is False


def test_known_answer_with_a_fixed_nonce(keypair):
    private, public = keypair
    message = b"fixed nonce"
    k = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
    e = crypto.message_digest(message, public)
    r, s = crypto.sign_digest(e, private, k=k)
    gm_raw = _gmssl(private, public).sign(e.to_bytes(32, "big"), f"{k:064x}")
    assert f"{r:064x}{s:064x}" == gm_raw


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=300))
def test_round_trip_and_a_flipped_byte_fails(message):
    private, public = crypto.generate_keypair()
    signature = crypto.sign(message, private, public)
    assert crypto.verify(message, signature, public)
    if message:
        flipped = bytes([message[0] ^ 1]) + message[1:]
        assert not crypto.verify(flipped, signature, public)


def test_other_key_and_other_user_id_fail(keypair):
    private, public = keypair
    _, other = crypto.generate_keypair()
    signature = crypto.sign(b"m", private, public)
    assert not crypto.verify(b"m", signature, other)
    assert not crypto.verify(b"m", signature, public, user_id=b"ALICE123@YAHOO.COM")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1],
        lambda s: s[:10],
        lambda s: b"",
        lambda s: s + b"\x00",
        lambda s: b"\x31" + s[1:],
        lambda s: s[:2] + b"\x03" + s[3:],
        lambda s: bytes(70),
    ],
    ids=["truncated-1", "truncated-10", "empty", "trailing", "not-sequence", "not-int", "zeros"],
)
def test_malformed_signatures_are_not_valid(keypair, mangle):
    private, public = keypair
    signature = crypto.sign(b"m", private, public)
    assert crypto.verify(b"m", mangle(signature), public) is False


def test_out_of_range_r_s_are_not_valid(keypair):
    _, public = keypair
    for r, s in ((0, 1), (1, 0), (crypto.N, 1), (1, crypto.N)):
        body = crypto._der_int(r) + crypto._der_int(s)
        assert crypto.verify(b"m", b"\x30" + bytes([len(body)]) + body, public) is False


def test_der_encoding_is_minimal():
    assert crypto.der_encode(1, 0x80) == bytes.fromhex("3007020101020200 80".replace(" ", ""))
    assert crypto.der_decode(crypto.der_encode(1, 0x80)) == (1, 0x80)
    with pytest.raises(crypto.InvalidSignature):
        crypto.der_decode(bytes.fromhex("300802020001020200" + "80"))  # padded r


def test_pem_round_trip_and_hex_forms(keypair):
    _, public = keypair
    pem = public.to_pem()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert crypto.PublicKey.from_pem(pem) == public
    assert crypto.PublicKey.from_hex(public.hex[2:]) == public
    assert len(public.hex) == 130 and public.hex.startswith("04")


@pytest.mark.parametrize(
    "text", ["", "04" + "00" * 64, "zz" * 65, "04" + "11" * 63, "05" + "11" * 64]
)
def test_bad_public_keys_are_refused(text):
    with pytest.raises(crypto.InvalidKey):
        crypto.PublicKey.from_hex(text)


def test_private_key_repr_hides_the_secret(keypair):
    private, _ = keypair
    assert private.hex not in repr(private)


def test_fingerprint_is_sm3_of_the_point(keypair):
    _, public = keypair
    assert (
        crypto.fingerprint(public) == hashlib.new("sm3", bytes.fromhex(public.hex)).hexdigest()[:16]
    )
