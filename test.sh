#!/usr/bin/env bash
# Run every LittlePBX test: installs what the tests need (Debian packages, MariaDB,
# a virtualenv), lints with ruff, then runs pytest in three processes at once (tests/lanes.py:
# the Asterisk tests, the FreeSWITCH tests, the rest). Extra arguments go to each pytest
# (e.g. -m "not asterisk", or a test file: the lanes without any of its tests end at once).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

prepare_test_environment
log "ruff check (lint): a finding fails the run"
.venv/bin/ruff check .
exec .venv/bin/python -m tests.lanes "$@"
