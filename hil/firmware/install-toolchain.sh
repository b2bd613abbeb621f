#!/usr/bin/env bash
# Install the Debian packages that build the Arduino firmware, flash it to a real Uno and run it
# on an emulated one: avr-gcc, avr-libc, binutils, the Arduino core, avrdude (`make flash`), and
# simavr with its library and parts.
# Idempotent: installs only what is missing (apt-get update only if the install fails first).
# Uses sudo when not root. ROVER_SKIP_TOOLCHAIN=1 skips it (the simavr tests then fail clearly).
set -euo pipefail

PACKAGES=(gcc-avr avr-libc binutils-avr arduino-core-avr avrdude simavr libsimavr-dev libsimavrparts1)
say() { echo "install-toolchain: $*"; }
fail() {
  echo "install-toolchain: $*" >&2
  echo "install-toolchain: install them by hand: sudo apt-get install ${PACKAGES[*]}" >&2
  exit 1
}

if [[ "${ROVER_SKIP_TOOLCHAIN:-0}" == 1 ]]; then
  say "skipped (ROVER_SKIP_TOOLCHAIN=1)"
  exit 0
fi
command -v dpkg-query >/dev/null 2>&1 || fail "not a Debian-based system (no dpkg-query)"

missing=()
for package in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
  [[ "$status" == installed ]] || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  say "all ${#PACKAGES[@]} packages already installed (${PACKAGES[*]})"
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || fail "missing ${missing[*]}, and not root (no sudo)"
  sudo=(sudo)
fi
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
install() { "${apt[@]}" install -y --no-install-recommends "${missing[@]}"; }

say "installing ${missing[*]}"
if ! install; then
  say "install failed; updating the package lists and trying again"
  "${apt[@]}" update || fail "apt-get update failed"
  install || fail "apt-get install ${missing[*]} failed"
fi
say "installed ${missing[*]}"
