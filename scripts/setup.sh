#!/usr/bin/env bash
# Set-up of a development or demo machine (Debian 12, Node.js 20): the Debian packages the runtime and the tests use,
# then the npm dependencies and the build. The README's first command; .ci/run runs it before the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

export DEBIAN_FRONTEND=noninteractive
as_root apt-get update
# ffmpeg decodes the cameras; GStreamer's RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0 and the plugins) plays
# the footage as a camera for the demo and the tests; espeak-ng, sox and alsa-utils make and play the voice warnings;
# gpiod is the GPIO fallback; mosquitto is the broker of the uplink tests; openssl makes their TLS certificates;
# util-linux's unshare gives the GPIO tests a private mount namespace; systemd brings systemd-notify (the runtime's
# READY / WATCHDOG messages, tested against a notify socket) and systemd-analyze (the unit file's verify and security
# tests), also in a container whose PID 1 is not systemd; chromium is the browser the local page's tests drive through
# playwright-core (Debian's build: playwright's own browser download cannot be fetched here), with a CJK font so its
# screenshots show the Chinese names and warnings instead of empty boxes; debootstrap makes the throwaway Debian root
# that scripts/install.sh is tested in (test/integration/install/install-root.test.ts), g++ and make compile the native
# modules for the Node.js 24 test run (scripts/devkit/node24-suite.sh).
as_root apt-get install -y --no-install-recommends \
  ffmpeg espeak-ng sox alsa-utils gpiod mosquitto mosquitto-clients openssl util-linux systemd chromium fonts-wqy-microhei \
  debootstrap g++ make python3 \
  gir1.2-gst-rtsp-server-1.0 python3-gi \
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly \
  gstreamer1.0-rtsp gstreamer1.0-libav gstreamer1.0-tools

# onnxruntime-node's install script would fetch CUDA libraries from the internet; its CPU binaries ship in the package.
# package.json's allowScripts denies that script to an npm that knows the field (npm 11.19 does); the variable, which
# the script itself reads, stops the download under an npm that ignores the field (Node 20 ships npm 10).
ONNXRUNTIME_NODE_INSTALL=skip npm ci
npm run build
