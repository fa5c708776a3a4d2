#!/usr/bin/env bash
# The Python proof of the fixtures (test/python/check_fixtures.py) needs python3
# and jsonschema. Installs them from Debian when missing, so `npm test` works on a
# fresh CI machine; does nothing (and needs no network) when they are present.
set -euo pipefail

if command -v python3 >/dev/null 2>&1 && python3 -c 'import jsonschema' >/dev/null 2>&1; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-python-deps: python3 with jsonschema is required (apt-get is not available: install python3-jsonschema yourself)" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "ensure-python-deps: installing python3-jsonschema from Debian" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3 python3-jsonschema >/dev/null
python3 -c 'import jsonschema'
