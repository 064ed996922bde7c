#!/usr/bin/env bash
# Run every LittlePBX test: installs what the tests need (Debian packages, MariaDB,
# a virtualenv), lints with ruff, then runs pytest. Extra arguments go to pytest (e.g. -m "not asterisk").
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

prepare_test_environment
log "ruff check (lint): a finding fails the run"
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
