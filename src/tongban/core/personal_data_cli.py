"""The personal-data subcommands of `tongban keys` (the command itself lives in the licences
app, which also rotates SM2 signing keys with `keys rotate DEPT`):

- `keys status`: how many personal-data values are encrypted under each key id;
- `keys rotate [--batch N]` (no department): re-encrypt every value under the current key (the
  first of TONGBAN_DATA_KEYS), in batches, resumable;
- `keys reindex [--batch N]`: recompute every blind index after TONGBAN_BLIND_INDEX_KEY changed;
- `keys generate`: print a new random key.  See docs/personal-data.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from .crypto import CryptoError, generate_key, key_ring
from .personal_data_keys import keys_reindex, keys_rotate, keys_status

ACTIONS = ("status", "reindex", "generate")


def add_subcommands(sub) -> None:
    sub.add_parser("status", help="personal data: values per key id")
    p = sub.add_parser("reindex", help="personal data: recompute the blind indexes")
    p.add_argument("--batch", type=int, default=500, help="rows per transaction")
    sub.add_parser("generate", help="print a new random 256-bit key (base64)")


def handle(command: BaseCommand, action: str, *, batch: int = 500) -> None:
    out = command.stdout
    if action == "generate":
        out.write(generate_key())
        return
    ring = key_ring()
    if action == "status":
        out.write(f"current key: {ring.current}; known: {', '.join(ring.keys)}")
        total = 0
        for label, counts in keys_status().items():
            parts = ", ".join(f"{k}={n}" for k, n in sorted(counts.items())) or "empty"
            out.write(f"{label}: {parts}")
            total += sum(n for k, n in counts.items() if k != ring.current)
        out.write(f"not under the current key: {total}")
        return
    if batch < 1:
        raise CommandError("--batch must be at least 1")

    def progress(p):
        out.write(f"  {p.column}: {p.done} rewritten, {p.skipped} changed meanwhile")

    try:
        if action == "rotate":
            out.write(f"keys rotate: to key {ring.current}, {batch} rows a batch")
            result = keys_rotate(batch=batch, progress=progress)
        else:
            out.write(f"keys reindex: {batch} rows a batch")
            result = keys_reindex(batch=batch, progress=progress)
    except CryptoError as exc:
        raise CommandError(f"keys {action}: {exc} (is the old key still listed?)") from None
    for label, n in result.items():
        out.write(f"{label}: {n}")
    out.write(f"keys {action}: {sum(result.values())} values rewritten")
