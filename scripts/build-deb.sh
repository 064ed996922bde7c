#!/usr/bin/env bash
# Build the littlepbx .deb from this tree (dpkg-buildpackage in a scratch copy, so the tree
# stays clean) and check it with lintian at the error level. Prints the .deb's path.
#
#   scripts/build-deb.sh [OUTPUT_DIR]      (default: ./dist)
set -euo pipefail
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$SRC_DIR/scripts/lib.sh"
OUT=$(mkdir -p "${1:-$SRC_DIR/dist}" && cd "${1:-$SRC_DIR/dist}" && pwd)

if [ "$(id -u)" -eq 0 ]; then
  ensure_packages dpkg-dev debhelper lintian >/dev/null
fi
for tool in dpkg-buildpackage dh lintian; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install dpkg-dev debhelper lintian)"
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/littlepbx"
tar -C "$SRC_DIR" --exclude=./.git --exclude=./.venv --exclude=./dist --exclude=./test-artifacts \
    --exclude=__pycache__ --exclude='*.egg-info' --exclude=./.ruff_cache --exclude=./bench/results \
    --exclude=./.hypothesis \
    -cf - . | tar -C "$WORK/littlepbx" -xf -
log "building the package"
(cd "$WORK/littlepbx" && dpkg-buildpackage -b -us -uc >"$WORK/build.log" 2>&1) \
  || { tail -30 "$WORK/build.log" >&2; die "dpkg-buildpackage failed"; }
deb=$(ls "$WORK"/littlepbx_*_all.deb)
log "lintian (errors fail the build)"
lintian --fail-on error "$deb" >&2
cp "$deb" "$OUT/"
echo "$OUT/$(basename "$deb")"
