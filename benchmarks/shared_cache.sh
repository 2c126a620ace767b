#!/usr/bin/env bash
# Debian's Varnish in front of gunicorn, PostgreSQL and Redis: pages cached, purged on change.
#
#   benchmarks/shared_cache.sh
#
# Creates (drops first) its own database, migrates it, loads the demo, starts gunicorn
# (production settings, 2 workers, not the repository's gunicorn.conf.py), the task
# worker (which sends Wagtail's purges) and varnishd with deploy/varnish/clinic.vcl, all on
# loopback, runs benchmarks/shared_cache_checks.py (PASS/FAIL per check, req/s for the
# article next to a static file of the same bytes through the same Varnish, loaded one
# at a time and alternated, with Varnish's CPU per request) and stops everything. Exits
# non-zero if any check fails.
#
# Environment: PG_URL (server, without database), SHARED_CACHE_DB, SHARED_CACHE_REDIS_URL,
# APP_PORT, VARNISH_PORT, BENCH_DURATION (seconds per wrk run).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
SHARED_CACHE_DB="${SHARED_CACHE_DB:-clinic_shared_cache}"
APP_PORT="${APP_PORT:-8320}"
VARNISH_PORT="${VARNISH_PORT:-8321}"
BENCH_DURATION="${BENCH_DURATION:-5}"
VARNISHD="${VARNISHD:-$(command -v varnishd || echo /usr/sbin/varnishd)}"
PY=.venv/bin/python
RESULTS=benchmarks/results
mkdir -p "$RESULTS"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/clinic-varnish.XXXXXX")"

export DJANGO_SETTINGS_MODULE=cms_site.settings.production
export SECRET_KEY="shared-cache-$(date +%s)-$RANDOM$RANDOM"
# Production settings need the patient-data keys (one fresh pair per run).
new_key() { python3 -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'; }
LEAD_FORMS_ENCRYPTION_KEYS="$(new_key)"
LEAD_FORMS_SEARCH_KEY="$(new_key)"
export LEAD_FORMS_ENCRYPTION_KEYS LEAD_FORMS_SEARCH_KEY
export ALLOWED_HOSTS="clinic.example,127.0.0.1,localhost"
export DATABASE_URL="$PG_URL/$SHARED_CACHE_DB"
export REDIS_URL="${SHARED_CACHE_REDIS_URL:-redis://127.0.0.1:6379/7}"
export CACHE_KEY_PREFIX="sharedcache"
export FRONTEND_CACHE_PURGE_URL="http://127.0.0.1:$VARNISH_PORT"
# The purge token: the app sends it, varnishd (std.getenv in the VCL) requires it.
FRONTEND_CACHE_PURGE_TOKEN="$(new_key)"
VARNISH_PURGE_TOKEN="$FRONTEND_CACHE_PURGE_TOKEN"
export FRONTEND_CACHE_PURGE_TOKEN VARNISH_PURGE_TOKEN
export SECURE_SSL_REDIRECT=false
export EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
export LOG_LEVEL=WARNING
export ACCESS_LOG=false
# Varnish appends the reader's address to X-Forwarded-For.
export TRUSTED_PROXIES="127.0.0.1/32,::1/128"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "==> Database $SHARED_CACHE_DB (recreated), Redis $REDIS_URL (prefix $CACHE_KEY_PREFIX)"
psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $SHARED_CACHE_DB WITH (FORCE)"
psql "$PG_URL/postgres" -qc "CREATE DATABASE $SHARED_CACHE_DB"
$PY - <<'PY'
import os

import redis

client = redis.Redis.from_url(os.environ["REDIS_URL"])
for key in client.scan_iter(match=f"{os.environ['CACHE_KEY_PREFIX']}:*", count=1000):
    client.delete(key)
PY
$PY manage.py migrate --noinput -v0
$PY manage.py load_demo >/dev/null
export STATIC_ROOT="$WORK/static"
$PY manage.py collectstatic --noinput -v0

start_app() {
    # From benchmarks/results, so gunicorn does not read the repository's gunicorn.conf.py
    # (production's worker recycling would be measured too).
    (cd "$RESULTS" && PYTHONPATH="$OLDPWD" exec "$OLDPWD/.venv/bin/gunicorn" cms_site.wsgi \
        --bind "127.0.0.1:$APP_PORT" --workers 2 >>shared_cache_app.log 2>&1) &
    app_pid=$!
    pids+=("$app_pid")
    # Up to two minutes: on a loaded shared machine importing the site alone can take 20 s.
    for _ in $(seq 1 600); do
        if curl -fs "http://127.0.0.1:$APP_PORT/healthz" >/dev/null 2>&1; then return; fi
        sleep 0.2
    done
    echo "gunicorn did not start; see $RESULTS/shared_cache_app.log" >&2
    exit 1
}

echo "==> gunicorn on 127.0.0.1:$APP_PORT; a static copy of the article's bytes"
: >"$RESULTS/shared_cache_app.log"
start_app
mkdir -p "$STATIC_ROOT/benchmark"
curl -fs -H "Host: clinic.example" -H "X-Forwarded-Proto: https" \
    "http://127.0.0.1:$APP_PORT/treatments/mesotherapy/" >"$STATIC_ROOT/benchmark/shared_cache.html"
# WhiteNoise indexes STATIC_ROOT when it starts.
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true
start_app
$PY manage.py db_worker --interval 0.1 >"$RESULTS/shared_cache_worker.log" 2>&1 &
pids+=($!)

echo "==> varnishd $("$VARNISHD" -V 2>&1 | head -1 | sed -E "s/.*\((varnish-[0-9.]+).*/\1/") on 127.0.0.1:$VARNISH_PORT (deploy/varnish/clinic.vcl)"
sed "s/\.port = \"8000\";/.port = \"$APP_PORT\";/" deploy/varnish/clinic.vcl >"$WORK/clinic.vcl"
chmod 755 "$WORK"
"$VARNISHD" -F -n "$WORK/varnish" -a "127.0.0.1:$VARNISH_PORT" -f "$WORK/clinic.vcl" \
    -s malloc,128m -T none -p thread_pool_min=20 >"$RESULTS/shared_cache_varnish.log" 2>&1 &
varnish_pid=$!
pids+=("$varnish_pid")
for _ in $(seq 1 100); do
    if curl -fs "http://127.0.0.1:$VARNISH_PORT/healthz" >/dev/null 2>&1; then break; fi
    sleep 0.2
done

echo "==> Checks"
$PY benchmarks/shared_cache_checks.py "http://127.0.0.1:$VARNISH_PORT" --duration "$BENCH_DURATION" \
    --server-pid "$varnish_pid" \
    | tee "$RESULTS/shared_cache.txt"
exit "${PIPESTATUS[0]}"
