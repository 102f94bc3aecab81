#!/usr/bin/env bash
# Back up the PostgreSQL database of production mode: conversations (Rasa's events table),
# bookings, sessions, console data and every other project table, in pg_dump's custom
# format (compressed, restorable table by table with pg_restore).
#
#   scripts/backup.sh [DATABASE_URL] [OUTPUT_FILE]
#
# DATABASE_URL defaults to the environment's; OUTPUT_FILE to
# var/backups/<database>-<UTC time>.dump. The dump is written to a temporary name and
# renamed when complete, so a file with the final name is always a whole backup.
# Restore with scripts/restore.sh; docs/deployment.md describes the procedure.
set -euo pipefail

url="${1:-${DATABASE_URL:-}}"
if [[ -z "$url" || "$url" != postgresql* ]]; then
  echo "backup: give a postgresql:// URL (argument or DATABASE_URL)" >&2
  exit 2
fi
# SQLAlchemy's driver suffix (postgresql+psycopg2://) is not libpq's.
url="${url/postgresql+psycopg2:/postgresql:}"
name="${url##*/}"; name="${name%%\?*}"
out="${2:-var/backups/${name}-$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$out")"
pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$out.partial"
mv "$out.partial" "$out"
chmod 600 "$out"  # it holds personal data
echo "backup: wrote $out ($(du -h "$out" | cut -f1))"
