"""gunicorn settings for the clinic site: ``gunicorn cms_site.wsgi`` picks this file up.

Every value can be set from the environment (listed in docs/reference-site.md).
"""

import multiprocessing

from cms_site.settings.env import env

# Behind a load balancer or reverse proxy: listen where it forwards to.
bind = env.list("GUNICORN_BIND", default=["127.0.0.1:8000"])
# Sync workers: pages come from the cache or render in a few milliseconds, and a
# process per CPU core keeps one slow request from holding up the others.
workers = env.int("WEB_CONCURRENCY", default=min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "sync"
# A request that takes longer than this is killed and logged, rather than holding a worker.
timeout = env.int("GUNICORN_TIMEOUT", default=30)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = env.int("GUNICORN_MAX_REQUESTS", default=2000)
max_requests_jitter = 200
# Load the app once before forking: faster starts, shared memory.
preload_app = True
# Only the proxies in front of the app may set X-Forwarded-Proto/For.
forwarded_allow_ips = env.str("FORWARDED_ALLOW_IPS", default="127.0.0.1")

# The app writes its own JSON access line with the request id (cms_site.request_logging);
# gunicorn's is off unless asked for, and then logs the path only: %(U)s has no query
# string, which on form pages could hold what a patient typed.
accesslog = env.str("GUNICORN_ACCESS_LOG", default="") or None
access_log_format = (
    '{"remote": "%(h)s", "time": "%(t)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_us": %(D)s, "request_id": "%({x-request-id}o)s"}'
)
errorlog = "-"
loglevel = env.str("GUNICORN_LOG_LEVEL", default="info")
