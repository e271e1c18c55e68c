"""gunicorn settings for tongban-web.service (docs/deploy.md).

Workers: 2 × cores + 1 (GUNICORN_WORKERS overrides), each a synchronous process: the
application is database-bound and every worker holds one persistent PostgreSQL connection
(TONGBAN_DB_CONN_MAX_AGE). A worker is recycled after max_requests requests (with jitter) so
memory stays bounded; graceful_timeout lets in-flight requests finish on a reload or restart.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 0)) or multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
# Behind nginx on the same machine: trust its X-Forwarded-* headers (TONGBAN_PROXY_HOPS=1).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# The client address nginx saw (X-Real-IP), never the ID or phone numbers in a query string.
access_log_format = '%({x-real-ip}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
wsgi_app = "tongban.config.wsgi:application"
# Not preloaded: `systemctl reload tongban-web` (HUP) then starts workers on the new code while
# the old ones finish their requests — the rolling restart of docs/deploy.md.
preload_app = False
