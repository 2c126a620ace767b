#!/usr/bin/env bash
# Two app servers, one PostgreSQL, one Redis: shows that what one server does, the other sees
# (sessions, cached fragments, rate limits; the shared page cache is Varnish, shared_cache.sh).
#
#   benchmarks/scale_out.sh
#
# Creates (drops first) its own database, migrates it, loads the demo, starts two
# gunicorn servers with production settings on two loopback ports and the database
# task worker, runs benchmarks/scale_out_checks.py against them (PASS/FAIL per
# check) and stops everything. Exits non-zero if any check fails.
#
# Environment: PG_URL (server, without database), SCALEOUT_DB, SCALEOUT_REDIS_URL,
# PORT_A, PORT_B.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
SCALEOUT_DB="${SCALEOUT_DB:-clinic_scaleout}"
PORT_A="${PORT_A:-8310}"
PORT_B="${PORT_B:-8311}"
PY=.venv/bin/python
RESULTS=benchmarks/results
mkdir -p "$RESULTS"

export DJANGO_SETTINGS_MODULE=cms_site.settings.production
export SECRET_KEY="scale-out-$(date +%s)-$RANDOM$RANDOM"
# Patient-data keys: both servers, the worker and the commands get the same ones from the environment.
LEAD_FORMS_ENCRYPTION_KEYS="$($PY -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())')"
LEAD_FORMS_SEARCH_KEY="$($PY -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())')"
export LEAD_FORMS_ENCRYPTION_KEYS LEAD_FORMS_SEARCH_KEY
# The balancer passes the public Host on to whichever server it picks.
export ALLOWED_HOSTS="clinic.example,127.0.0.1,localhost"
# Editors' browsers in the check reach the servers directly on loopback.
export CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$PORT_A,http://127.0.0.1:$PORT_B"
export DATABASE_URL="$PG_URL/$SCALEOUT_DB"
export REDIS_URL="${SCALEOUT_REDIS_URL:-redis://127.0.0.1:6379/7}"
export CACHE_KEY_PREFIX="scaleout"
# The load balancer in front terminates TLS and says so in X-Forwarded-Proto; the
# checks send that header as it would.
export EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
export WAGTAILADMIN_BASE_URL="http://127.0.0.1:$PORT_A"
export LOG_LEVEL=WARNING
export ACCESS_LOG=false
# The balancer appends the client's address to X-Forwarded-For; rate limits count by it.
export TRUSTED_PROXIES="127.0.0.1/32,::1/128"
export SCALEOUT_WORKER_LOG="$RESULTS/scale_out_worker.log"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

echo "==> Database $SCALEOUT_DB (recreated), Redis $REDIS_URL (prefix $CACHE_KEY_PREFIX)"
dropdb --if-exists --force -d "$PG_URL/postgres" "$SCALEOUT_DB" 2>/dev/null \
    || psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $SCALEOUT_DB WITH (FORCE)"
psql "$PG_URL/postgres" -qc "CREATE DATABASE $SCALEOUT_DB"
# Only this script's keys: other databases and prefixes on the server are left alone.
$PY - <<'PY'
import os

import redis

client = redis.Redis.from_url(os.environ["REDIS_URL"])
for key in client.scan_iter(match=f"{os.environ['CACHE_KEY_PREFIX']}:*", count=1000):
    client.delete(key)
PY
$PY manage.py migrate --noinput -v0
$PY manage.py load_demo >/dev/null
$PY manage.py collectstatic --noinput -v0

echo "==> Two app servers on 127.0.0.1:$PORT_A and 127.0.0.1:$PORT_B, and the task worker"
for port in "$PORT_A" "$PORT_B"; do
    .venv/bin/gunicorn cms_site.wsgi -c gunicorn.conf.py --bind "127.0.0.1:$port" --workers 2 \
        >"$RESULTS/scale_out_$port.log" 2>&1 &
    pids+=($!)
done
$PY manage.py db_worker >"$SCALEOUT_WORKER_LOG" 2>&1 &
pids+=($!)

for port in "$PORT_A" "$PORT_B"; do
    for _ in $(seq 1 100); do
        if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
        sleep 0.2
    done
done

echo "==> Checks"
$PY benchmarks/scale_out_checks.py "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$PORT_B" | tee "$RESULTS/scale_out.txt"
exit "${PIPESTATUS[0]}"
