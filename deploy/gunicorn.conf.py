"""gunicorn settings for tongban-web.service (docs/deploy.md).

Workers: 2 × cores + 1 (GUNICORN_WORKERS overrides), synchronous processes by default
(GUNICORN_WORKER_CLASS=gthread with GUNICORN_THREADS=N for threads): every worker holds one
persistent PostgreSQL connection per thread (TONGBAN_DB_CONN_MAX_AGE). A worker is recycled after
max_requests requests (with jitter) so memory stays bounded; graceful_timeout lets in-flight
requests finish on a reload or restart.

Preloading (GUNICORN_PRELOAD, default on): the master imports the application and loads what
every worker would otherwise load on its first request — the catalogue search index, the
knowledge base, the dispatch classifier, the dispatch catalogue, the address index and the
working-day calendar — then forks the workers, which share those pages copy-on-write
(docs/performance.md, "Memory per worker"). Without preloading each worker loads them itself
when it starts, still before its first request. With preloading, HUP (`systemctl reload`)
restarts the workers from the master's copy of the code: to run new code, restart the service
(`systemctl restart tongban-web`, what deploy/upgrade.sh does then; docs/deploy.md, "Upgrades").
"""

import multiprocessing
import os
import time

TRUE = {"1", "true", "yes", "on"}

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 0)) or multiprocessing.cpu_count() * 2 + 1
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
backlog = int(os.environ.get("GUNICORN_BACKLOG", 2048))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
# Behind nginx on the same machine: trust its X-Forwarded-* headers (TONGBAN_PROXY_HOPS=1).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "": none (benchmarks)
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# The client address nginx saw (X-Real-IP), never the ID or phone numbers in a query string.
access_log_format = '%({x-real-ip}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
wsgi_app = "tongban.config.wsgi:application"
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() in TRUE


def warm(log) -> None:
    """Load the per-process indexes and the classifier now, not on a request; then close the
    database connections (a connection must never cross a fork)."""
    from django.db import connections

    from tongban.catalog import search
    from tongban.core import addresses, workdays
    from tongban.hotline import dispatch
    from tongban.hotline.classifier import registry
    from tongban.hotline.knowledge import index as knowledge

    started = time.monotonic()
    try:
        docs = search.warm()
        knowledge.warm()
        model = registry.active()
        dispatch.snapshot()
        addresses.resolve_address("云溪街道")
        workdays.current()
        log.info(
            "warmed: %s catalogue documents, classifier %s, in %.1f s",
            docs,
            "loaded" if model is not None else "none active",
            time.monotonic() - started,
        )
    except Exception:
        log.exception("warming the caches failed; workers load them on first use")
    finally:
        connections.close_all()


def when_ready(server) -> None:
    """Preloaded: warm in the master, before the first worker is forked."""
    if server.cfg.preload_app:
        warm(server.log)


def post_worker_init(worker) -> None:
    """Not preloaded: each worker warms itself before it accepts a request."""
    if not worker.cfg.preload_app:
        warm(worker.log)
