#!/usr/bin/env bash
# Install Debian packages the test suite needs (chromium, postgresql, and for tests/deploy and
# scripts/deploy_check.sh: redis-server, nginx-light, logrotate) when they are missing.
set -euo pipefail
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
if ! run apt-get install -y -qq "$@" >/dev/null 2>&1; then
  run apt-get update -qq
  run apt-get install -y -qq "$@" >/dev/null
fi
