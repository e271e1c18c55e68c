"""Security follow-ups (docs/security.md): second-factor recovery codes kept only as salted
PBKDF2-SHA256 hashes. Existing plain-text codes (django-otp ``StaticToken`` rows) are hashed into
``core.RecoveryCode`` and the plain-text rows deleted; the codes people hold keep working."""

import hashlib
import secrets

import django.db.models.deletion
from django.db import migrations, models

# Frozen here: the stored format is ``pbkdf2_sha256$<iterations>$<salt>$<hex>`` and each hash
# carries its own iteration count, so a later change in core/security_2fa.py reads these too.
ITERATIONS = 20_000


def _hash(code: str, salt: str) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), salt.encode(), ITERATIONS).hex()
    return f"pbkdf2_sha256${ITERATIONS}${salt}${digest}"


def hash_existing_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    RecoveryCode = apps.get_model("core", "RecoveryCode")
    salts: dict[int, str] = {}
    rows = []
    for token in StaticToken.objects.order_by("pk").iterator():
        salt = salts.setdefault(token.device_id, secrets.token_hex(16))
        code = "".join(token.token.split()).replace("-", "").lower()
        rows.append(RecoveryCode(device_id=token.device_id, code_hash=_hash(code, salt)))
    RecoveryCode.objects.bulk_create(rows, batch_size=500)
    StaticToken.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_security_admin"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecoveryCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code_hash", models.CharField(max_length=160, verbose_name="恢复码摘要")),
                (
                    "device",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recovery_codes",
                        to="otp_static.staticdevice",
                        verbose_name="恢复码设备",
                    ),
                ),
            ],
            options={"verbose_name": "恢复码", "verbose_name_plural": "恢复码"},
        ),
        # Hashes cannot be turned back into codes: going back leaves the recovery codes empty
        # (each person makes new ones on /console/security/).
        migrations.RunPython(hash_existing_codes, migrations.RunPython.noop, elidable=True),
    ]
