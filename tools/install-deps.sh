#!/usr/bin/env bash
# Installs what building and testing Sidecar needs on Debian/Ubuntu and is
# missing: system packages (GTK/WebKit for the window, gnome-keyring and
# D-Bus for the keychain, Xvfb and Chromium for the tests), then the Wails
# CLI into tools/bin. Usage: tools/install-deps.sh [run|test]
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-test}

pkgs=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev gnome-keyring dbus libsecret-tools)
if [ "$want" = test ]; then
  pkgs+=(xvfb x11-apps imagemagick xdotool chromium tesseract-ocr)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "Sidecar needs these packages (Debian names): ${missing[*]}" >&2
    echo "Install their equivalents with your package manager, then run make again." >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "Missing packages: ${missing[*]}" >&2
      echo "Run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null; then
  echo "Go is missing: install Go 1.26 or newer from https://go.dev/dl/ and run make again." >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "Node.js and npm are missing: apt-get install nodejs npm (Node 20 or newer), then run make again." >&2
  exit 1
fi

# The Wails CLI, built with a current golang.org/x/tools (see tools/wails).
if [ ! -x tools/bin/wails ] || [ tools/wails/go.mod -nt tools/bin/wails ]; then
  echo "Building the Wails CLI into tools/bin"
  (cd tools/wails && go build -o ../bin/wails github.com/wailsapp/wails/v2/cmd/wails)
fi
