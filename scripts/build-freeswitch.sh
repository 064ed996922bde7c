#!/usr/bin/env bash
# Build FreeSWITCH (plus its spandsp and sofia-sip libraries) from source trees the
# operator provides, into one self-contained prefix, for LittlePBX's local tests, with
# LittlePBX's changes to sofia-sip and mod_sofia (scripts/sofia-sip.patch,
# scripts/freeswitch-sofia.patch: no request reaches another organization's calls).
#
# FreeSWITCH has no Debian package, and this script never downloads sources: export them
# first, e.g. signalwire/freeswitch tag v1.10.12, freeswitch/sofia-sip tag v1.13.17 and
# freeswitch/spandsp commit 0d2e6ac (later spandsp commits change the V.18 API).
#
# Usage: build-freeswitch.sh --freeswitch DIR --sofia-sip DIR --spandsp DIR
#                            [--prefix DIR] [--build-dir DIR] [--jobs N] [--force]
set -euo pipefail

PREFIX=/var/cache/littlepbx/freeswitch
BUILD_DIR=""
FS_SRC="" SOFIA_SRC="" SPANDSP_SRC=""
JOBS=2
FORCE=0

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
die() { echo "build-freeswitch: $*" >&2; exit 1; }
log() { echo "==> $*"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX=$2; shift 2 ;;
        --build-dir) BUILD_DIR=$2; shift 2 ;;
        --freeswitch) FS_SRC=$2; shift 2 ;;
        --sofia-sip) SOFIA_SRC=$2; shift 2 ;;
        --spandsp) SPANDSP_SRC=$2; shift 2 ;;
        --jobs) JOBS=$2; shift 2 ;;
        --force) FORCE=1; shift ;;
        -h|--help) usage 0 ;;
        *) echo "unknown argument: $1" >&2; usage 2 ;;
    esac
done

if [ -z "$FS_SRC" ] || [ -z "$SOFIA_SRC" ] || [ -z "$SPANDSP_SRC" ]; then
    die "--freeswitch, --sofia-sip and --spandsp are required (this script downloads nothing)"
fi
for d in "$FS_SRC" "$SOFIA_SRC" "$SPANDSP_SRC"; do
    [ -f "$d/configure.ac" ] || die "$d does not look like a source tree (no configure.ac)"
done
FS_SRC=$(cd "$FS_SRC" && pwd)
SOFIA_SRC=$(cd "$SOFIA_SRC" && pwd)
SPANDSP_SRC=$(cd "$SPANDSP_SRC" && pwd)
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
# Autotools build in the tree; build in scratch copies so the given sources stay pristine.
BUILD_DIR=${BUILD_DIR:-$PREFIX.build}
mkdir -p "$BUILD_DIR"

# The modules LittlePBX may use. PCMU/PCMA (and L16) are in the core; codecs needing
# extra libraries are left out.
MODULES="
loggers/mod_console
loggers/mod_logfile
applications/mod_commands
applications/mod_dptools
applications/mod_hash
applications/mod_db
applications/mod_expr
applications/mod_voicemail
applications/mod_conference
applications/mod_valet_parking
applications/mod_fifo
applications/mod_callcenter
applications/mod_esf
dialplans/mod_dialplan_xml
endpoints/mod_sofia
endpoints/mod_loopback
event_handlers/mod_event_socket
event_handlers/mod_cdr_csv
formats/mod_sndfile
formats/mod_native_file
formats/mod_local_stream
formats/mod_tone_stream
xml_int/mod_xml_curl
codecs/mod_g723_1
"

# Debian 12 packages that are enough for these three trees and the modules above:
# autotools (sources from git have no configure; FreeSWITCH's bootstrap wants the libtool
# program, which Debian ships in libtool-bin), libtiff (spandsp), openssl (TLS/SRTP),
# curl/pcre/speex/sqlite/jpeg/zlib/uuid (FreeSWITCH core), libsndfile (mod_sndfile).
PACKAGES="build-essential patch autoconf automake libtool libtool-bin pkg-config libssl-dev
libcurl4-openssl-dev libpcre3-dev libspeex-dev libspeexdsp-dev libsqlite3-dev
libjpeg-dev libtiff-dev zlib1g-dev uuid-dev libsndfile1-dev"

install_packages() {
    local missing=() p
    for p in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && { log "build packages already installed"; return; }
    log "installing build packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    # Refresh the package lists only when the install fails on stale ones.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" \
        || { $sudo apt-get update && DEBIAN_FRONTEND=noninteractive \
             $sudo apt-get install -y --no-install-recommends "${missing[@]}"; }
}

# Copy a source tree into the build directory (fresh each time a step really runs).
stage() {
    local src=$1 dst=$2
    rm -rf "$dst"
    mkdir -p "$dst"
    cp -a "$src/." "$dst/"
}

install_packages

# Everything links against the prefix and finds it again at run time through an rpath,
# so nothing goes outside the prefix and no LD_LIBRARY_PATH is needed.
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
export CPPFLAGS="-I$PREFIX/include${CPPFLAGS:+ $CPPFLAGS}"
export LDFLAGS="-L$PREFIX/lib -Wl,-rpath,$PREFIX/lib${LDFLAGS:+ $LDFLAGS}"

# spandsp: FreeSWITCH's core needs it (fax/tone/DSP helpers).
if [ $FORCE -eq 0 ] && [ -f "$PREFIX/lib/pkgconfig/spandsp.pc" ]; then
    log "spandsp already installed in $PREFIX"
else
    log "building spandsp"
    stage "$SPANDSP_SRC" "$BUILD_DIR/spandsp"
    (cd "$BUILD_DIR/spandsp" && ./bootstrap.sh && ./configure --prefix="$PREFIX" --disable-static \
        && make -j"$JOBS" && make install)
fi

# LittlePBX's changes to sofia-sip and to mod_sofia (see each patch's head) go into every build. A
# stamp beside what a patch went into names the patch: a prefix built without it, or with another
# version of it, gets that part rebuilt (sofia-sip, or mod_sofia alone).
PATCHES="$(cd "$(dirname "$0")" && pwd)"
SIP_PATCH="$PATCHES/sofia-sip.patch" SIP_STAMP="$PREFIX/lib/sofia-sip.littlepbx-patch"
SOFIA_PATCH="$PATCHES/freeswitch-sofia.patch" SOFIA_STAMP="$PREFIX/mod/mod_sofia.littlepbx-patch"
patch_id() { sha256sum "$1" | cut -d' ' -f1; }
stamped() { [ "$(cat "$1" 2>/dev/null)" = "$(patch_id "$2")" ]; }
# Apply a patch in the current directory, unless the given sources already carry it.
apply_patch() {
    if patch -p1 -R --dry-run --force --silent < "$1" >/dev/null 2>&1; then
        log "$(basename "$1") is already in these sources"
    else
        patch -p1 --batch < "$1"
    fi
}

# sofia-sip: the SIP stack of mod_sofia (FreeSWITCH 1.10.12 wants >= 1.13.17).
if [ $FORCE -eq 0 ] && [ -f "$PREFIX/lib/pkgconfig/sofia-sip-ua.pc" ] && stamped "$SIP_STAMP" "$SIP_PATCH"; then
    log "sofia-sip already installed in $PREFIX"
else
    log "building sofia-sip"
    stage "$SOFIA_SRC" "$BUILD_DIR/sofia-sip"
    (cd "$BUILD_DIR/sofia-sip" && apply_patch "$SIP_PATCH" && ./bootstrap.sh \
        && ./configure --prefix="$PREFIX" --disable-static --with-glib=no --without-doxygen \
        && make -j"$JOBS" && make install)
    patch_id "$SIP_PATCH" > "$SIP_STAMP"
fi

fs_installed() {
    local m
    [ -x "$PREFIX/bin/freeswitch" ] && [ -x "$PREFIX/bin/fs_cli" ] || return 1
    for m in $MODULES; do
        [ -f "$PREFIX/mod/${m#*/}.so" ] || return 1
    done
}

if [ $FORCE -eq 0 ] && fs_installed && stamped "$SOFIA_STAMP" "$SOFIA_PATCH"; then
    log "FreeSWITCH already installed in $PREFIX"
elif [ $FORCE -eq 0 ] && fs_installed && [ -f "$BUILD_DIR/freeswitch/src/mod/endpoints/mod_sofia/Makefile" ]; then
    log "rebuilding mod_sofia with LittlePBX's change"
    cd "$BUILD_DIR/freeswitch"
    # From the given sources, whatever state an interrupted earlier attempt left the tree in.
    cp "$FS_SRC/src/mod/endpoints/mod_sofia/"{sofia.c,mod_sofia.h} src/mod/endpoints/mod_sofia/
    apply_patch "$SOFIA_PATCH"
    # Every file of the module again: the tree was configured without dependency tracking, and
    # the patch changes a structure in the header they all include.
    make -C src/mod/endpoints/mod_sofia clean
    make -C src/mod/endpoints/mod_sofia -j"$JOBS" install
    patch_id "$SOFIA_PATCH" > "$SOFIA_STAMP"
else
    log "building FreeSWITCH"
    stage "$FS_SRC" "$BUILD_DIR/freeswitch"
    cd "$BUILD_DIR/freeswitch"
    apply_patch "$SOFIA_PATCH"
    ./bootstrap.sh -j
    # Only the modules we use: configure then needs none of the optional libraries.
    # shellcheck disable=SC2086  # one module per word
    printf '%s\n' $MODULES > modules.conf
    # --disable-fhs: with --prefix, FreeSWITCH otherwise picks the FHS layout
    # (etc/freeswitch, lib/freeswitch/mod, var/...); this keeps conf/, mod/, log/, db/...
    # directly under $PREFIX. No video (the bundled libvpx/libyuv need yasm and double the
    # build time); no line editing in the console (tests drive it with fs_cli -x).
    ./configure --prefix="$PREFIX" --disable-fhs --disable-static --disable-libvpx \
        --disable-libyuv --disable-core-libedit-support --disable-dependency-tracking
    make -j"$JOBS"
    make install
    fs_installed || die "FreeSWITCH installed, but some modules are missing from $PREFIX/mod"
    patch_id "$SOFIA_PATCH" > "$SOFIA_STAMP"
fi

echo "prefix: $PREFIX"
"$PREFIX/bin/freeswitch" -version
