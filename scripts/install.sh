#!/usr/bin/env bash
# Installs Huxiao Edge on a gateway (Debian 12 / Raspberry Pi OS bookworm), from a checkout set up with
# scripts/setup.sh (or npm ci):  sudo scripts/install.sh
# The gateway gets the runtime only: edge/ compiled on its own, the models, the example configs and the production
# dependencies (npm ci --omit=dev) in /opt/huxiao-edge. Tests, benchmarks and the dev kit (the demo, the RTSP test
# server) stay in the checkout. Creates the huxiao user and /etc/huxiao with an example config (never overwriting an
# existing one), and installs + enables the systemd unit. It does not start the service: edit
# /etc/huxiao/config.yaml, run `huxiao check`, then `systemctl start huxiao-edge`.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
prefix=/opt/huxiao-edge

check_prerequisites() {
  [ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
  command -v node >/dev/null && command -v npm >/dev/null || { echo "install.sh: Node.js 20 or later (with npm) is required" >&2; exit 1; }
  [ -x "$src/node_modules/.bin/tsc" ] || { echo "install.sh: set up the checkout first (scripts/setup.sh, or npm ci)" >&2; exit 1; }
}

# The tools the runtime runs: ffmpeg decodes the cameras; espeak-ng, sox and aplay make and play the warnings;
# the gpiod tools drive GPIO on kernels without sysfs GPIO.
install_system_packages() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends ffmpeg espeak-ng sox alsa-utils gpiod
}

create_user() {
  getent group gpio >/dev/null || groupadd --system gpio
  getent passwd huxiao >/dev/null || useradd --system --home-dir /var/lib/huxiao --shell /usr/sbin/nologin --user-group huxiao
  usermod -a -G gpio,audio huxiao
}

install_app() {
  "$src/scripts/stage-runtime.sh" "$prefix"
  # Production dependencies only, from the lockfile: no TypeScript, ESLint, TF.js or the demo's broker.
  # allowScripts keeps onnxruntime-node's CUDA download off under npm 11; the variable does it for an older npm.
  (cd "$prefix" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --no-audit --no-fund)
  ln -sf "$prefix/dist/edge/cli/main.js" /usr/local/bin/huxiao
}

install_config() {
  install -d -m 0750 -o root -g huxiao /etc/huxiao /etc/huxiao/secrets
  if [ ! -e /etc/huxiao/config.yaml ]; then
    install -m 0640 -o root -g huxiao "$src/config/school-gate.yaml" /etc/huxiao/config.yaml
    echo "install.sh: wrote an example /etc/huxiao/config.yaml; edit it for this site"
  fi
}

# The gallery key (32 random bytes) lives apart from the database, readable by the service only. A new key is made
# only while there is no store: one made beside an enrolled gallery would not open it.
install_gallery_key() {
  local key=/etc/huxiao/secrets/gallery.key
  [ -e "$key" ] && return
  if [ -e /var/lib/huxiao/huxiao.db ]; then
    echo "install.sh: no $key but a store exists: restore the key from its backup; if no one is enrolled, the service's first enrollment can use a key made by hand (head -c 32 /dev/urandom, owner huxiao, mode 0400)" >&2
    return
  fi
  (umask 077 && head -c 32 /dev/urandom > "$key")
  chown huxiao:huxiao "$key"
  chmod 0400 "$key"
  echo "install.sh: created the gallery key $key; back it up off the box (without it enrolled faces cannot be read)"
}

install_service() {
  install -m 0644 "$src/systemd/huxiao-edge.service" /etc/systemd/system/huxiao-edge.service
  systemctl daemon-reload
  systemctl enable huxiao-edge.service
}

check_prerequisites
install_system_packages
create_user
install_app
install_config
install_gallery_key
install_service
echo "install.sh: done. Next: edit /etc/huxiao/config.yaml, 'huxiao check --config /etc/huxiao/config.yaml', 'systemctl start huxiao-edge'"
