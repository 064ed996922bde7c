# Shell functions shared by install.sh, uninstall.sh and test.sh. Source it; do not run it.
# shellcheck shell=bash

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "run this as root (sudo $0)"
}

has_systemd() {
  [ -d /run/systemd/system ]
}

# Install the Debian packages that are missing; print the ones this call installed.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  printf '%s\n' "${missing[@]}"
}

mariadb_answers() {
  mysqladmin --protocol=socket ping >/dev/null 2>&1 || mysqladmin -h127.0.0.1 ping >/dev/null 2>&1
}

# Start MariaDB if it is not answering (systemd where it runs, else in the background).
ensure_mariadb_running() {
  mariadb_answers && return 0
  log "starting MariaDB"
  if has_systemd; then
    systemctl enable --now mariadb >&2
  else
    install -d -o mysql -g mysql /run/mysqld
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  fi
  local _
  for _ in $(seq 1 60); do
    mariadb_answers && return 0
    sleep 0.5
  done
  die "MariaDB did not start (see /var/log/mysql/error.log)"
}

# Run the SQL on stdin as MariaDB's root: over the local socket (Debian's root uses
# unix_socket auth), else over TCP with an empty password (some prepared machines).
mysql_root() {
  local sql
  sql=$(cat)
  mysql --protocol=socket -uroot <<<"$sql" 2>/dev/null || mysql -uroot -h127.0.0.1 <<<"$sql"
}

random_secret() {
  head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "${1:-32}"
}

# The Debian packages LittlePBX needs at run time on the host.
# shellcheck disable=SC2034
RUNTIME_PACKAGES=(mariadb-server mariadb-client python3 python3-venv python3-dev gcc
                  sox libsox-fmt-mp3 debootstrap ca-certificates fail2ban nftables nginx logrotate)
# ... and those its tests need on top.
# shellcheck disable=SC2034
TEST_PACKAGES=(sip-tester chromium curl jq iproute2 mount shellcheck dpkg-dev debhelper lintian)

# What the tests and the bench need (run from the repository): Debian packages, a running MariaDB
# with the test account (it may only create and use littlepbx_test_* databases, and make their own
# accounts on them: the app's and Asterisk's, with the rights install.sh gives), and .venv.
prepare_test_environment() {
  if [ "$(id -u)" -eq 0 ]; then
    ensure_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}" >/dev/null
    ensure_mariadb_running
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
}
