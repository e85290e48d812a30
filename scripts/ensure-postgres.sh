#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries are installed; Redress's tests and
# dev stack start their own cluster from them. Installs Debian's package when
# they are missing, without letting it create or start a cluster of its own.
set -euo pipefail

if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL server binaries are missing: install PostgreSQL 13 or newer, or set DATABASE_URL." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing PostgreSQL from Debian's packages…"
$sudo mkdir -p /etc/postgresql-common
echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
