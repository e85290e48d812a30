#!/usr/bin/env bash
# Makes sure Debian's headless Chromium and its driver are installed: the
# tests of the customer pages drive them. CJK fonts let the Chinese pages
# render for screenshots.
set -euo pipefail

if command -v chromedriver >/dev/null 2>&1 && { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium and chromedriver are missing: install them to run the page tests." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Chromium from Debian's packages…"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
