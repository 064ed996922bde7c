#!/usr/bin/env bash
# Run every LittlePBX test: installs what the tests need (Debian packages, MariaDB,
# a virtualenv), lints with ruff, then runs pytest. Extra arguments go to pytest (e.g. -m "not asterisk").
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

if [ "$(id -u)" -eq 0 ]; then
  ensure_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}" >/dev/null
  ensure_mariadb_running
  # A MariaDB account for the tests that may only create and use littlepbx_test_* databases, and
  # make the run's own accounts on them (the app's and Asterisk's, with the rights install.sh gives).
  mysql_root <<'SQL'
CREATE USER IF NOT EXISTS 'littlepbx_test'@'127.0.0.1' IDENTIFIED BY 'littlepbx_test';
CREATE USER IF NOT EXISTS 'littlepbx_test'@'localhost' IDENTIFIED BY 'littlepbx_test';
GRANT ALL PRIVILEGES ON `littlepbx\_test\_%`.* TO 'littlepbx_test'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON `littlepbx\_test\_%`.* TO 'littlepbx_test'@'localhost' WITH GRANT OPTION;
GRANT CREATE USER ON *.* TO 'littlepbx_test'@'127.0.0.1';
GRANT CREATE USER ON *.* TO 'littlepbx_test'@'localhost';
SQL
else
  log "not root: assuming the Debian packages and MariaDB are already there"
fi
export LITTLEPBX_TEST_DB_ADMIN_URL=${LITTLEPBX_TEST_DB_ADMIN_URL:-"mysql+pymysql://littlepbx_test:littlepbx_test@127.0.0.1:3306/?charset=utf8mb4"}

if [ ! -x .venv/bin/python ]; then
  log "creating the virtualenv .venv"
  python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
log "ruff check (lint): a finding fails the run"
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
