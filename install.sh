#!/usr/bin/env bash
# Install LittlePBX on this Debian machine and bring it up: MariaDB, the PBX, the web
# app, the Apply worker and a demo organization. Safe to run again (it upgrades in place
# and keeps secrets, data and the credentials that still work).
#
# Paths and ports can be overridden from the environment (see the defaults below).
#
#   install.sh [--pbx asterisk|freeswitch]
# The PBX: Asterisk 22 (the host's, else a Debian sid root built here), or a FreeSWITCH 1.10
# already on this host (FREESWITCH_PREFIX, /usr/local/freeswitch or the PATH; see the README).
# A rerun without --pbx keeps the one installed.
set -euo pipefail
SRC_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$SRC_DIR/scripts/lib.sh"

PREFIX=${LITTLEPBX_PREFIX:-/opt/littlepbx}
ETC_DIR=${LITTLEPBX_ETC_DIR:-/etc/littlepbx}
DATA_DIR=${LITTLEPBX_DATA_DIR:-/var/lib/littlepbx}
LOG_DIR=${LITTLEPBX_LOG_DIR:-/var/log/littlepbx}
DB_NAME=${LITTLEPBX_DB_NAME:-littlepbx}
DB_USER=${LITTLEPBX_DB_USER:-littlepbx}
# Schema changes run as the owner; the app only reads and writes rows; Asterisk reads its rows.
DB_OWNER=${DB_USER}_owner
DB_PBX_USER=${DB_USER}_pbx
WEB_PORT=${LITTLEPBX_WEB_PORT:-8080}
HTTPS_PORT=${LITTLEPBX_HTTPS_PORT:-443}
HTTP_PORT=${LITTLEPBX_HTTP_PORT:-80}
# The operator's certificate and key for the HTTPS front and SIP over TLS; without them
# self-signed ones are made.
# The mail relay for Apply notices and voicemail e-mail: LITTLEPBX_MAIL_SERVER, _PORT, _USE_TLS
# (STARTTLS), _USE_SSL, _USERNAME, _PASSWORD, _DEFAULT_SENDER, _TLS_CA_FILE; each one given is
# written to the config file (replacing what was there). Try them with `littlepbx mail-test`.
TLS_CERT=${LITTLEPBX_TLS_CERT:-}
TLS_KEY=${LITTLEPBX_TLS_KEY:-}
SERVICE_USER=littlepbx
CONF="$ETC_DIR/littlepbx.conf"
# The database owner's credentials: root only (the services never read them).
OWNER_CONF="$ETC_DIR/db-owner.conf"
CREDENTIALS="$ETC_DIR/initial-credentials"
MANIFEST="$ETC_DIR/install-manifest"
CTL=/usr/local/sbin/littlepbxctl
PBX=${LITTLEPBX_PBX:-}

# Remember something install added, once, so uninstall.sh removes exactly that.
record() {
  touch "$MANIFEST"
  grep -qxF "$*" "$MANIFEST" || echo "$*" >>"$MANIFEST"
}

# The value of KEY in the config file, if the file has it.
conf_value() {
  if [ -f "$CONF" ]; then sed -n "s/^$1 *= *//p" "$CONF" | tail -n 1; fi
}

install_packages() {
  local added pkg
  added=$(ensure_packages "${RUNTIME_PACKAGES[@]}" curl)
  for pkg in $added; do record "package $pkg"; done
}

create_service_user() {
  if ! id "$SERVICE_USER" >/dev/null 2>&1; then
    record "user $SERVICE_USER"  # before acting: an interrupted run still leaves a true manifest
    system_account "$SERVICE_USER" "$DATA_DIR" "LittlePBX"
  fi
}

# A system account NAME (home HOME, comment COMMENT, more useradd options after) in a group of
# its own name: the group a removed account left behind (an older uninstall.sh did) is taken
# over, where useradd --user-group would stop at it.
system_account() {
  local name=$1 home=$2 comment=$3 group=(--user-group)
  shift 3
  if getent group "$name" >/dev/null; then group=(--gid "$name"); fi
  useradd --system "${group[@]}" --home-dir "$home" --shell /usr/sbin/nologin --comment "$comment" "$@" "$name"
}

create_directories() {
  local dir
  for dir in "$PREFIX" "$ETC_DIR" "$DATA_DIR" "$LOG_DIR"; do
    [ -d "$dir" ] || record "dir $dir"
    install -d "$dir"
  done
  chown "$SERVICE_USER:$SERVICE_USER" "$DATA_DIR" "$LOG_DIR"
  record "dir $DATA_DIR"  # ours even when a kept, earlier install left it: --purge removes it
  chmod 0750 "$ETC_DIR"
  chgrp "$SERVICE_USER" "$ETC_DIR"
}

install_code() {
  log "installing the application into $PREFIX"
  install -d "$PREFIX/src"
  tar -C "$SRC_DIR" --exclude=.git --exclude=.venv --exclude=test-artifacts \
      --exclude=__pycache__ -cf - . | tar -C "$PREFIX/src" -xf -
  # Debian's own Python: the services run as $SERVICE_USER, who cannot reach a Python
  # installed under a user's home (pyenv and the like).
  if [ "$(readlink -f "$PREFIX/venv/bin/python" 2>/dev/null)" != "$(readlink -f /usr/bin/python3)" ]; then
    rm -rf "$PREFIX/venv"
    /usr/bin/python3 -m venv "$PREFIX/venv"
  fi
  "$PREFIX/venv/bin/pip" install -q --disable-pip-version-check -e "$PREFIX/src"
}

# Write the keys the config file lacks; every key already there (an operator's MAIL_SERVER, a
# changed port) is kept as it is, except the mail settings given to this run. Secrets are
# generated only when missing.
write_config() {
  local host key variable
  local -a MAIL_OPTIONS=()
  for key in SERVER PORT USE_TLS USE_SSL USERNAME PASSWORD DEFAULT_SENDER TLS_CA_FILE; do
    variable="LITTLEPBX_MAIL_$key"
    [ -z "${!variable:-}" ] || MAIL_OPTIONS+=(--replace "MAIL_$key=${!variable}")
  done
  host=$(conf_value SIP_PUBLIC_HOST)
  host=${host:-$(hostname -I 2>/dev/null | awk '{print $1}')}
  host=${host:-127.0.0.1}
  log "checking $CONF (keys already there are kept)"
  (umask 027 && littlepbx config-file "$CONF" \
    --secret SECRET_KEY=48 --secret DB_PASSWORD=32 --secret ASTERISK_DB_PASSWORD=32 \
    --secret ASTERISK_AMI_SECRET=32 --secret ASTERISK_ARI_PASSWORD=32 --set "ASTERISK_DB_USER=$DB_PBX_USER" \
    --set "DATABASE_URL=mysql+pymysql://$DB_USER:{DB_PASSWORD}@127.0.0.1:3306/$DB_NAME?charset=utf8mb4" \
    --set "DATA_DIR=$DATA_DIR" --set LISTEN_HOST=127.0.0.1 --set "LISTEN_PORT=$WEB_PORT" \
    --set BEHIND_PROXY=true --set SESSION_COOKIE_SECURE=true \
    --set "PUBLIC_URL=$(public_url "$host")" --set "SIP_PUBLIC_HOST=$host" --set "PBX_BACKEND=$PBX" \
    --secret FREESWITCH_ESL_PASSWORD=32 --secret FREESWITCH_XML_SECRET=32 --set FREESWITCH_SYSTEM_USER=littlepbx-freeswitch \
    ${FREESWITCH_PREFIX:+--set "FREESWITCH_PREFIX=$FREESWITCH_PREFIX"} \
    --set ASTERISK_SIP_HOST=0.0.0.0 --set "ASTERISK_ROOT=$(asterisk_root)" \
    --set MAIL_SERVER=127.0.0.1 --set MAIL_PORT=25 "${MAIL_OPTIONS[@]}" \
    ${TLS_CERT:+--set "SIP_TLS_CERT=$TLS_CERT" --set "SIP_TLS_KEY=$TLS_KEY"})
  record "file $CONF"
  (umask 077 && littlepbx config-file "$OWNER_CONF" --secret DB_OWNER_PASSWORD=32 \
    --set "DATABASE_URL=mysql+pymysql://$DB_OWNER:{DB_OWNER_PASSWORD}@127.0.0.1:3306/$DB_NAME?charset=utf8mb4")
  chmod 0600 "$OWNER_CONF"
  record "file $OWNER_CONF"
}

# The address browsers use: the HTTPS front's.
public_url() {
  if [ "$HTTPS_PORT" = 443 ]; then echo "https://$1"; else echo "https://$1:$HTTPS_PORT"; fi
}

# Only the service user's group may read the configuration (it holds the database password).
secure_config() {
  chgrp "$SERVICE_USER" "$CONF"
  chmod 0640 "$CONF"
}

# The SQL that makes sure account $1 exists on both local hosts with password $2.
account_sql() {
  local host
  for host in 127.0.0.1 localhost; do
    printf "CREATE USER IF NOT EXISTS '%s'@'%s' IDENTIFIED BY '%s';\n" "$1" "$host" "$2"
    printf "ALTER USER '%s'@'%s' IDENTIFIED BY '%s';\n" "$1" "$host" "$2"
    printf "REVOKE ALL PRIVILEGES, GRANT OPTION FROM '%s'@'%s';\n" "$1" "$host"
  done
}

# Three accounts: the owner runs the migrations; the app (web and worker) may only read and
# write rows; Asterisk may read its realtime rows and write contacts, mailbox PINs and CDR.
create_database() {
  local host exact
  # In a database-level GRANT, '_' and '%' are wildcards: escaped, the name means only itself.
  exact=$(printf '%s' "$DB_NAME" | sed 's/[_%\\]/\\&/g')
  log "creating the database $DB_NAME and its accounts ($DB_OWNER, $DB_USER, $DB_PBX_USER)"
  record "database $DB_NAME"
  record "dbuser $DB_USER"
  record "dbuser $DB_OWNER"
  record "dbuser $DB_PBX_USER"
  {
    echo "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    account_sql "$DB_OWNER" "$(owner_value DB_OWNER_PASSWORD)"
    account_sql "$DB_USER" "$(conf_value DB_PASSWORD)"
    account_sql "$DB_PBX_USER" "$(conf_value ASTERISK_DB_PASSWORD)"
    for host in 127.0.0.1 localhost; do
      echo "GRANT ALL PRIVILEGES ON \`$exact\`.* TO '$DB_OWNER'@'$host';"
    done
    app_grants
  } | mysql_root
  LITTLEPBX_DATABASE_URL=$(owner_value DATABASE_URL) littlepbx db upgrade
  # Asterisk's rights are per table: the tables exist once the migrations have run.
  asterisk_provision grants | mysql_root
}

# The app's rights on both local hosts, as littlepbx.database says them (the tests grant the same).
app_grants() {
  "$PREFIX/venv/bin/python" - "$DB_NAME" "$DB_USER" <<'PY'
import sys

from littlepbx.database import app_grants

for host in ("127.0.0.1", "localhost"):
    for statement in app_grants(sys.argv[1], sys.argv[2], host):
        print(f"{statement};")
PY
}

# The value of KEY in the owner's file.
owner_value() {
  sed -n "s/^$1 *= *//p" "$OWNER_CONF" | tail -n 1
}

littlepbx() {
  LITTLEPBX_CONFIG="$CONF" "$PREFIX/venv/bin/littlepbx" "$@"
}

# Where Asterisk runs from: '' for the host's own Asterisk 22 or newer, else a Debian sid root
# (Debian 12 has no asterisk package; sid is never added to the host's apt sources).
asterisk_root() {
  local version
  version=$(asterisk -V 2>/dev/null | sed -n 's/^Asterisk \([0-9]*\).*/\1/p' || true)
  if [ -n "$version" ] && [ "$version" -ge 22 ]; then echo ""; else echo "$PREFIX/asterisk-root"; fi
}

install_pbx() {
  if [ "$PBX" = freeswitch ]; then install_freeswitch; else install_asterisk; fi
}

# FreeSWITCH is never downloaded or built here: the operator installs it (see the README).
install_freeswitch() {
  local prefix
  prefix=$(provision find) || die "FreeSWITCH was asked for (--pbx freeswitch) but none was found: see above"
  if ! id littlepbx-freeswitch >/dev/null 2>&1; then
    record "user littlepbx-freeswitch"
    system_account littlepbx-freeswitch /nonexistent "FreeSWITCH PBX of LittlePBX" --no-create-home
  fi
  local dir
  while read -r dir; do
    [ -d "$dir" ] || record "dir $dir"
  done < <(provision dirs)
  log "configuring FreeSWITCH from $prefix"
  provision configure >/dev/null
}

install_asterisk() {
  local cache=/var/cache/littlepbx
  # Asterisk in its own root runs as a host account of its own (provision gives the root's
  # asterisk user this uid): never as whichever host service happens to share the root's uid.
  if [ -n "$ASTERISK_ROOT" ] && ! id littlepbx-asterisk >/dev/null 2>&1; then
    record "user littlepbx-asterisk"
    system_account littlepbx-asterisk /nonexistent "Asterisk PBX of LittlePBX" --no-create-home
  fi
  [ -d "$cache" ] || record "dir $cache"
  [ -z "$ASTERISK_ROOT" ] || [ -d "$ASTERISK_ROOT" ] || record "dir $ASTERISK_ROOT"
  log "provisioning Asterisk ${ASTERISK_ROOT:+in $ASTERISK_ROOT (a Debian sid root; the first time takes a minute)}"
  provision build-root
  provision write-config
}

# (-P: the installed code, never a littlepbx directory in the caller's working directory, such
# as the source tree install.sh runs from.)
provision() {
  LITTLEPBX_CONFIG="$CONF" "$PREFIX/venv/bin/python" -P -m "littlepbx.pbx_backends.$PBX.provision" "$@"
}

# Asterisk's provisioning (grants, logrotate and fail2ban rules serve either PBX).
asterisk_provision() {
  LITTLEPBX_CONFIG="$CONF" "$PREFIX/venv/bin/python" -P -m littlepbx.pbx_backends.asterisk.provision "$@"
}

install_services() {
  install -m 0755 "$SRC_DIR/scripts/littlepbxctl" "$CTL"
  record "file $CTL"
  sed -e "s#@PREFIX@#$PREFIX#g" -e "s#@CONF@#$CONF#g" -e "s#@LOG_DIR@#$LOG_DIR#g" \
      -e "s#@USER@#$SERVICE_USER#g" -e "s#@PBX@#$PBX#g" "$SRC_DIR/scripts/littlepbxctl.env.in" >"$ETC_DIR/services.env"
  record "file $ETC_DIR/services.env"
  if has_systemd; then
    local unit
    for unit in "$SRC_DIR"/scripts/systemd/*.service; do
      sed -e "s#@PREFIX@#$PREFIX#g" -e "s#@CONF@#$CONF#g" -e "s#@USER@#$SERVICE_USER#g" \
          "$unit" >"/etc/systemd/system/$(basename "$unit")"
      record "file /etc/systemd/system/$(basename "$unit")"
    done
    systemctl daemon-reload
    systemctl enable "littlepbx-$PBX" littlepbx-web littlepbx-worker
  fi
  # The PBX this install no longer runs (the other one, after --pbx changed) is stopped for good.
  local other=asterisk
  [ "$PBX" != asterisk ] || other=freeswitch
  if has_systemd; then systemctl disable --now "littlepbx-$other" >/dev/null 2>&1 || true
  else LITTLEPBX_SERVICES_ENV="$ETC_DIR/services.env" "$CTL" stop "$other" >/dev/null 2>&1 || true
  fi
  restart_changed
}

# What the web app and the worker run from: the installed code and their configuration.
app_digest() {
  {
    (cd "$PREFIX/src" && find . -type f -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum)
    cat "$CONF" "$ETC_DIR/services.env"
  } | sha256sum | cut -d' ' -f1
}

# Restart only the services whose inputs changed since the last run, or that are not running:
# with 1,000 organizations an Asterisk restart is half a minute in which no phone of any
# organization can register or call. Asterisk goes last: the others drop no call.
restart_changed() {
  local state="$ETC_DIR/restart-state" name old app pbx
  PBX=${PBX:-asterisk}
  app=$(app_digest)
  pbx=$(provision fingerprint)
  for name in worker web "$PBX"; do
    local now=$app
    [ "$name" != "$PBX" ] || now=$pbx
    old=$(sed -n "s/^$name //p" "$state" 2>/dev/null || true)
    if [ "$old" = "$now" ] && "$CTL" status "$name" >/dev/null 2>&1; then
      log "$name: nothing it runs from changed; left running"
    else
      log "$name: ${old:+changed, }restarting"
      "$CTL" restart "$name"
    fi
  done
  [ -e "$state" ] || record "file $state"
  printf 'worker %s\nweb %s\n%s %s\n' "$app" "$app" "$PBX" "$pbx" >"$state"
}

# The HTTPS front: nginx terminates TLS (the operator's certificate, or a self-signed one made
# here once) and passes requests to the app on loopback; plain HTTP only redirects.
install_front() {
  local tls="$ETC_DIR/tls" site=/etc/nginx/sites-available/littlepbx host
  host=$(conf_value SIP_PUBLIC_HOST)
  [ -d "$tls" ] || record "dir $tls"
  install -d -m 0750 "$tls"
  if [ -n "$TLS_CERT" ] && [ -n "$TLS_KEY" ]; then
    install -m 0644 "$TLS_CERT" "$tls/littlepbx.crt"
    install -m 0600 "$TLS_KEY" "$tls/littlepbx.key"
  elif [ ! -s "$tls/littlepbx.crt" ]; then
    log "making a self-signed certificate for $host (give LITTLEPBX_TLS_CERT and LITTLEPBX_TLS_KEY to use yours)"
    "$PREFIX/venv/bin/python" -P -m littlepbx.frontend certificate --host "$host" \
      --cert "$tls/littlepbx.crt" --key "$tls/littlepbx.key"
  fi
  "$PREFIX/venv/bin/python" -P -m littlepbx.frontend site --upstream "127.0.0.1:$WEB_PORT" \
    --cert "$tls/littlepbx.crt" --key "$tls/littlepbx.key" --https-port "$HTTPS_PORT" --http-port "$HTTP_PORT" >"$site"
  record "file $site"
  ln -sf "$site" /etc/nginx/sites-enabled/littlepbx
  record "file /etc/nginx/sites-enabled/littlepbx"
  # Debian's example site also claims port 80 as the default server: ours takes its place.
  if [ -L /etc/nginx/sites-enabled/default ]; then
    record "nginx-default-site /etc/nginx/sites-enabled/default"
    rm /etc/nginx/sites-enabled/default
  fi
  nginx -t -q || die "nginx refused the site (see nginx -t)"
  if has_systemd; then
    systemctl enable nginx >/dev/null 2>&1 || true
    systemctl reload-or-restart nginx
  elif [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
    nginx -s reload
  else
    nginx
  fi
  if [ "$(conf_value LISTEN_HOST)" != 127.0.0.1 ]; then
    log "warning: $CONF has LISTEN_HOST = $(conf_value LISTEN_HOST): the app also answers plain HTTP on port $WEB_PORT; set it to 127.0.0.1"
  fi
}

# Rotate LittlePBX's logs and Asterisk's (security log included) daily, two weeks kept.
install_logrotate() {
  local rules=/etc/logrotate.d/littlepbx
  [ -d /etc/logrotate.d ] || { log "logrotate is not installed: logs are not rotated"; return 0; }
  asterisk_provision logrotate --log-dir "$LOG_DIR" >"$rules"
  record "file $rules"
}

# Ban addresses that keep failing SIP authentication (fail2ban reading Asterisk's security log,
# or FreeSWITCH's log with a filter of LittlePBX's own).
install_bans() {
  local jail=/etc/fail2ban/jail.d/littlepbx.conf
  command -v fail2ban-client >/dev/null || { log "fail2ban is not installed: no SIP bans"; return 0; }
  if [ "$PBX" = freeswitch ]; then
    local filter=/etc/fail2ban/filter.d/littlepbx-freeswitch.conf
    provision fail2ban-filter >"$filter"
    record "file $filter"
  fi
  provision fail2ban-jail >"$jail"
  record "file $jail"
  if has_systemd; then
    systemctl enable fail2ban >/dev/null 2>&1 || true
    systemctl restart fail2ban || log "fail2ban did not start: see journalctl -u fail2ban"
  elif fail2ban-client ping >/dev/null 2>&1; then
    fail2ban-client reload >/dev/null || log "fail2ban did not reload its jails"
  else
    fail2ban-client -x start >/dev/null 2>&1 || log "fail2ban did not start (no systemd here); SIP bans are off"
  fi
}

wait_for_web() {
  local _
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:$WEB_PORT/login" 2>/dev/null && return 0
    curl -fsS -o /dev/null "http://127.0.0.1:$WEB_PORT/api/v1/openapi.json" 2>/dev/null && return 0
    sleep 0.5
  done
  die "the web app did not answer on port $WEB_PORT (see $LOG_DIR/web.log)"
}

main() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --pbx) PBX=${2:-}; shift 2 || die "--pbx needs asterisk or freeswitch" ;;
      *) die "unknown option $1 (usage: install.sh [--pbx asterisk|freeswitch])" ;;
    esac
  done
  need_root
  install -d -m 0750 "$ETC_DIR"  # the manifest lives here; uninstall.sh removes it last
  install_packages
  ensure_mariadb_running
  create_service_user
  create_directories
  install_code
  PBX=${PBX:-$(conf_value PBX_BACKEND)}
  PBX=${PBX:-asterisk}
  case "$PBX" in asterisk|freeswitch) ;; *) die "--pbx: asterisk or freeswitch, not '$PBX'" ;; esac
  write_config
  secure_config
  ASTERISK_ROOT=$(conf_value ASTERISK_ROOT)
  WEB_PORT=$(conf_value LISTEN_PORT)
  create_database
  install_pbx
  littlepbx bootstrap --credentials-file "$CREDENTIALS"
  record "file $CREDENTIALS"
  install_services
  install_front
  install_bans
  install_logrotate
  wait_for_web
  log "applying the demo organization's configuration"
  littlepbx apply demo --timeout 120 || log "the demo Apply did not finish; see $LOG_DIR/worker.log"
  print_summary
}

print_summary() {
  # shellcheck disable=SC1090
  . <(grep -E '^[A-Z0-9_]+=' "$CREDENTIALS")
  cat <<SUMMARY

LittlePBX is running.

  Web page:        $URL/   (HTTPS; a self-signed certificate unless you gave one)
  Operator login:  $OPERATOR_EMAIL / $OPERATOR_PASSWORD
  Demo org admin:  $ADMIN_EMAIL / $ADMIN_PASSWORD
  API token:       $API_TOKEN   (LittlePBXAdmin demo page: $URL/admin-demo/)
  SIP server:      $SIP_SERVER (UDP); demo phones: ${EXT_100_USERNAME:-} / ${EXT_100_PASSWORD:-},
                   ${EXT_101_USERNAME:-} / ${EXT_101_PASSWORD:-}

  Mail relay:      $(conf_value MAIL_SERVER):$(conf_value MAIL_PORT)   (try it: $PREFIX/venv/bin/littlepbx mail-test you@example.org;
                   set it with LITTLEPBX_MAIL_SERVER=... and the other LITTLEPBX_MAIL_* on install.sh)

These values are also in $CREDENTIALS (root only).
Services: littlepbxctl status | start | stop | restart; littlepbxctl upgrade (weekly: Asterisk's packages)
SUMMARY
}

# Sourced (by the tests, to run one step), it only defines its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
