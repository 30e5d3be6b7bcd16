"""Password hashing for web sign-in: scrypt from the standard library, parameters in the hash.

The stored form is ``scrypt$<n>$<r>$<p>$<salt b64>$<key b64>`` so the cost can be raised later
without invalidating existing hashes (`needs_rehash` says when a hash uses weaker parameters).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["MIN_PASSWORD_LENGTH", "hash_password", "needs_rehash", "verify_password"]

# RFC 7914 interactive-login parameters: ~16 MiB of memory and tens of milliseconds per check.
_N, _R, _P = 2**14, 8, 1
_KEY_BYTES = 32
_SALT_BYTES = 16
_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD_LENGTH = 10

# Verified against when the e-mail is unknown, so a miss costs as much time as a wrong password.
_DUMMY: str | None = None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=_KEY_BYTES
    )


def hash_password(password: str) -> str:
    """The stored form of a password (a fresh random salt every time)."""
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _derive(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored` (False for a missing or malformed hash)."""
    global _DUMMY
    if not stored:
        if _DUMMY is None:
            _DUMMY = hash_password(secrets.token_urlsafe(16))
        stored, password = _DUMMY, password + "\x00"  # never matches; same work as a real check
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash uses weaker parameters than new hashes do."""
    parts = stored.split("$")
    return len(parts) != 6 or parts[0] != "scrypt" or (int(parts[1]), int(parts[2])) < (_N, _R)
