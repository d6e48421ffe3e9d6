"""Re-encrypt identity numbers with the current primary key and recompute lookup hashes.

Key rotation (documented in docs/operations.md):
1. generate a key: ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``
2. set ``LIANGXIN_FIELD_KEYS=NEW,OLD`` (new first) and, to change the hash key too,
   ``LIANGXIN_HASH_KEY=NEW_SECRET``;
3. run ``python manage.py rotate_field_keys``;
4. drop OLD from ``LIANGXIN_FIELD_KEYS``.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from liangxin.core import crypto, keyguard
from liangxin.party.models import Member

BATCH = 1000


class Command(BaseCommand):
    help = "用当前主密钥重新加密公民身份号码，并按当前检索密钥重算摘要"
    # a new hash key does not match the recorded fingerprint until this command has run
    requires_system_checks = []

    def handle(self, *args, **options):
        crypto.reset_keys()
        done = 0
        ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                members = list(Member.objects.filter(pk__in=ids[start : start + BATCH]).select_for_update())
                for member in members:
                    number = crypto.decrypt(member.id_number_enc)
                    member.id_number_enc = crypto.encrypt(number)
                    member.id_hash = crypto.lookup_hash(number)
                Member.objects.bulk_update(members, ["id_number_enc", "id_hash"])
            done += len(members)
        keyguard.rerecord_hash_key()
        self.stdout.write(f"已重新加密 {done} 名党员的公民身份号码")
