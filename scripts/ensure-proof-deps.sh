#!/usr/bin/env bash
# The proofs of the fixtures package in other languages (test/python-fixtures.test.ts runs the
# programs of generated/fixtures/README.md) need Debian's python3 with python3-jsonschema, and
# ruby with ruby-json-schemer; the Redis store and BullMQ queue tests (test/redis-*.test.ts) start
# Debian's redis-server themselves, on a free loopback port. Installs whatever is missing with apt-get, so `npm test` works on a
# fresh machine; when everything is present it only checks, quickly and without the network.
#
# Debian's own python3 is used (/usr/bin/python3): another python3 earlier on the PATH (pyenv, a
# virtualenv) would not see Debian's packages.
set -euo pipefail

PYTHON=/usr/bin/python3

have_python() { [ -x "$PYTHON" ] && "$PYTHON" -c 'import jsonschema' >/dev/null 2>&1; }
have_redis() { command -v redis-server >/dev/null 2>&1; }
have_ruby() {
  command -v ruby >/dev/null 2>&1 && ruby -e 'require "set"; require "json_schemer"' >/dev/null 2>&1
}

missing=()
have_python || missing+=(python3 python3-jsonschema)
have_ruby || missing+=(ruby ruby-json-schemer)
have_redis || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-proof-deps: needs ${missing[*]} (Debian packages), and apt-get is not available" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "ensure-proof-deps: installing ${missing[*]} from Debian" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
have_python && have_ruby && have_redis
