#!/usr/bin/env bash
# Remove what install.sh added, as listed in its manifest, newest first (entries that
# are kept without --purge are skipped by is_kept before undo sees them). The database,
# its user, the data directory (uploads, voicemail) and the Debian packages install.sh
# added are kept unless --purge is given.
set -euo pipefail
SRC_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$SRC_DIR/scripts/lib.sh"

ETC_DIR=${LITTLEPBX_ETC_DIR:-/etc/littlepbx}
MANIFEST="$ETC_DIR/install-manifest"
PURGE=false

usage() { echo "usage: $0 [--purge]" >&2; exit 2; }

# Unmount everything mounted below a directory (a PBX chroot binds /proc and /dev).
unmount_below() {
  local mounts
  mounts=$(awk -v d="$1/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r)
  [ -z "$mounts" ] && return 0
  echo "$mounts" | while read -r mount; do umount "$mount" || umount -l "$mount"; done
  if awk -v d="$1/" 'index($2, d) == 1' /proc/mounts | grep -q .; then
    die "something is still mounted below $1; not removing it"
  fi
}

remove_path() {
  local path=$1
  [ -e "$path" ] || return 0
  case "$path" in /|/etc|/usr|/var|/opt|/var/lib|/var/log) die "refusing to remove $path" ;; esac
  unmount_below "$path"
  rm -rf -- "$path"
  echo "removed $path"
}

drop_database() {
  mysql_root <<<"DROP DATABASE IF EXISTS \`$1\`;" && echo "dropped database $1"
}

drop_db_user() {
  mysql_root <<<"DROP USER IF EXISTS '$1'@'127.0.0.1', '$1'@'localhost';" && echo "dropped MariaDB user $1"
}

undo() {
  local kind=$1 value=$2
  case "$kind" in
    file|dir) remove_path "$value" ;;
    user) if userdel "$value" 2>/dev/null; then echo "removed system user $value"; fi
          # Its group, which userdel keeps while another account is in it (the services' account
          # is in Asterisk's): install.sh made the two together.
          if getent group "$value" >/dev/null && groupdel "$value" 2>/dev/null; then echo "removed group $value"; fi ;;
    package) apt-get remove -y -qq "$value" >/dev/null; echo "removed package $value" ;;
    database) drop_database "$value" ;;
    dbuser) drop_db_user "$value" ;;
    nginx-default-site) ln -sf /etc/nginx/sites-available/default "$value" && echo "restored $value" ;;
    *) echo "unknown manifest entry: $kind $value" >&2 ;;
  esac
}

is_kept() {
  local kind=$1 value=$2
  $PURGE && return 1
  case "$kind" in
    package|database|dbuser) return 0 ;;
    dir) [ "$value" = "${LITTLEPBX_DATA_DIR:-/var/lib/littlepbx}" ] ;;
    *) return 1 ;;
  esac
}

main() {
  case "${1:-}" in
    "") ;;
    --purge) PURGE=true ;;
    *) usage ;;
  esac
  need_root
  [ -f "$MANIFEST" ] || { echo "LittlePBX is not installed (no $MANIFEST)"; exit 0; }
  if [ -x /usr/local/sbin/littlepbxctl ]; then
    /usr/local/sbin/littlepbxctl stop || true
  fi
  if has_systemd; then
    systemctl disable littlepbx-web littlepbx-worker littlepbx-asterisk littlepbx-freeswitch 2>/dev/null || true
  fi
  local kept=() kind value
  while read -r kind value; do
    [ -n "$kind" ] || continue
    if is_kept "$kind" "$value"; then kept+=("$kind $value"); continue; fi
    [ "$value" = "$ETC_DIR" ] && continue
    undo "$kind" "$value"
  done < <(tac "$MANIFEST")
  if has_systemd; then systemctl daemon-reload; fi
  # Let the front and the bans forget what was removed.
  if command -v nginx >/dev/null && nginx -t -q 2>/dev/null; then
    if has_systemd; then systemctl reload nginx 2>/dev/null || true; else nginx -s reload 2>/dev/null || true; fi
  fi
  if command -v fail2ban-client >/dev/null && fail2ban-client ping >/dev/null 2>&1; then
    fail2ban-client reload >/dev/null 2>&1 || true
  fi
  if [ ${#kept[@]} -gt 0 ]; then
    printf 'kept (use --purge to remove): %s\n' "${kept[*]}"
  fi
  remove_path "$ETC_DIR"
  echo "LittlePBX is uninstalled."
}

main "$@"
