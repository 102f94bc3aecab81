#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a database.
#
#   scripts/restore.sh BACKUP_FILE TARGET_DATABASE_URL [--create]
#
# With --create the target database is created first (it must not exist); without it, the
# target must exist and be empty: restoring over live data is refused, stop production mode
# and restore into a new database, then point DATABASE_URL at it. The restore runs in one
# transaction: it is complete or nothing. Then run `python -m bot.manage migrate` with the
# new DATABASE_URL (a backup older than the code gets its missing migrations).
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: scripts/restore.sh BACKUP_FILE TARGET_DATABASE_URL [--create]" >&2
  exit 2
fi
backup="$1"; url="${2/postgresql+psycopg2:/postgresql:}"; create="${3:-}"
[[ -f "$backup" ]] || { echo "restore: no backup file $backup" >&2; exit 2; }
target="${url##*/}"; target="${target%%\?*}"
admin="${url%/*}/postgres"

if [[ "$create" == "--create" ]]; then
  psql --quiet --no-psqlrc --dbname="$admin" -v ON_ERROR_STOP=1 \
       -c "CREATE DATABASE \"$target\""
fi
tables=$(psql --no-psqlrc -At --dbname="$url" \
  -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
if [[ "$tables" != "0" ]]; then
  echo "restore: $target is not empty ($tables tables); restore into a new database" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --single-transaction --exit-on-error \
           --dbname="$url" "$backup"
echo "restore: $backup restored into $target"
