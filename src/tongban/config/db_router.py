"""The database router: reports and dashboards read from the replica, everything else from and
to ``default`` (docs/deploy.md, "read replica")."""

from __future__ import annotations

from django.conf import settings
from django.db import connections

from tongban.core.replica import REPLICA, replica_configured, replica_requested


class ReplicaRouter:
    """Reads inside ``tongban.core.replica.using_replica()`` go to ``replica`` when it is
    configured and ``default`` is not inside a transaction; writes and migrations always go to
    ``default`` (the replica is a copy of it)."""

    def db_for_read(self, model, **hints) -> str | None:
        if not replica_requested() or not replica_configured():
            return None
        if not getattr(settings, "TONGBAN_REPLICA_READS", True):
            return None
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database and its copy

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db != REPLICA
