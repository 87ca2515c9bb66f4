#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked
# gnome-keyring, so tests use a real Secret Service without touching the
# user's own keyring. Usage: tools/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
if [ -z "${SIDECAR_IN_KEYRING_SESSION:-}" ]; then
  exec dbus-run-session -- env SIDECAR_IN_KEYRING_SESSION=1 "$0" "$@"
fi
# A throwaway keyring home, so the session never sees the user's keyrings.
ktmp=$(mktemp -d)
export XDG_DATA_HOME="$ktmp/data" XDG_RUNTIME_DIR="$ktmp/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
# The daemon leaves with the D-Bus session that dbus-run-session ends.
trap 'rm -rf "$ktmp" 2>/dev/null || true' EXIT
printf 'sidecar-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
if [ ! -S "$XDG_RUNTIME_DIR/keyring/control" ]; then
  echo "with-keyring: gnome-keyring-daemon did not start" >&2
  exit 1
fi
export SIDECAR_REQUIRE_KEYCHAIN=1
"$@"
