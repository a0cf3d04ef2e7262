#!/usr/bin/env bash
# Set up (venv, requirements, migrations) and start the app in production mode
# on http://localhost:3000.  --demo also loads demo data (idempotent).
# --port N (or PORT), --workers N (or WEB_CONCURRENCY): backend processes, more
# than 1 needs REFLEX_REDIS_URL and REDIS_URL/Upstash; --migrate-only (a
# release step) and --no-migrate (the instances after it): see Procfile.
# Configuration comes from the environment or a .env file (see .env.example).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

demo=0
migrate=1
port="${PORT:-3000}"
while [ $# -gt 0 ]; do
  case "$1" in
    --demo) demo=1 ;;
    --port) port="$2"; shift ;;
    --workers) export WEB_CONCURRENCY="$2"; shift ;;
    --no-migrate) migrate=0 ;;
    --migrate-only) migrate=only ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

ensure_venv
export NODE_ENV="${NODE_ENV:-${APP_ENV:-production}}"
if [ "$NODE_ENV" = production ] && [ -z "${JWT_SECRET:-}" ] && ! grep -qs '^JWT_SECRET=' .env; then
  # Embedded default: a random secret kept beside the SQLite file (not committed).
  mkdir -p .secrets
  [ -s .secrets/jwt_secret ] || "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))' >.secrets/jwt_secret
  chmod 600 .secrets/jwt_secret
  export JWT_SECRET="$(cat .secrets/jwt_secret)"
fi

# Checks the worker layout (WEB_CONCURRENCY, REFLEX_REDIS_URL) before anything runs.
workers="$("$VENV/bin/python" -c 'import sys
from piano_emotion.settings import SettingsError, server_layout
try:
    print(server_layout()[1])
except SettingsError as exc:
    sys.exit(f"Configuration error: {exc}")')"
if [ "$migrate" != 0 ]; then
  echo "==> Applying database migrations"
  "$VENV/bin/python" -m piano_emotion.manage migrate
  [ "$migrate" = only ] && exit 0
fi
if [ "$demo" = 1 ]; then
  echo "==> Loading demo data"
  "$VENV/bin/python" -m piano_emotion.demo
fi
echo "==> Starting Piano Emotion Manager on http://localhost:$port ($workers worker(s))"
exec "$VENV/bin/reflex" run --env prod --frontend-port "$port" --backend-port "$port"
