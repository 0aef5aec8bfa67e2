#!/usr/bin/env bash
# Installs Huxiao Edge on a gateway (Debian 12 / Raspberry Pi OS bookworm), from a built checkout:
#   npm ci && npm run build && sudo scripts/install.sh
# Creates the huxiao user, copies the app to /opt/huxiao-edge, creates /etc/huxiao with an example config (never
# overwriting an existing one) and installs + enables the systemd unit. It does not start the service: edit
# /etc/huxiao/config.yaml, run `huxiao check`, then `systemctl start huxiao-edge`.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
src="$(cd "$(dirname "$0")/.." && pwd)"
prefix=/opt/huxiao-edge
[ -f "$src/dist/edge/cli/main.js" ] || { echo "install.sh: build first (npm ci && npm run build)" >&2; exit 1; }
command -v node >/dev/null || { echo "install.sh: Node.js 20 or later is required" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends ffmpeg espeak-ng alsa-utils gpiod

getent group gpio >/dev/null || groupadd --system gpio
getent passwd huxiao >/dev/null || useradd --system --home-dir /var/lib/huxiao --shell /usr/sbin/nologin --user-group huxiao
usermod -a -G gpio,audio huxiao

mkdir -p "$prefix"
cp -a "$src/package.json" "$src/package-lock.json" "$src/dist" "$src/node_modules" "$src/config" "$src/scripts" "$src/README.md" "$prefix/"
[ -d "$src/models" ] && cp -a "$src/models" "$prefix/"
ln -sf "$prefix/dist/edge/cli/main.js" /usr/local/bin/huxiao
chmod +x "$prefix/dist/edge/cli/main.js"

install -d -m 0750 -o root -g huxiao /etc/huxiao /etc/huxiao/secrets
if [ ! -e /etc/huxiao/config.yaml ]; then
  install -m 0640 -o root -g huxiao "$src/config/school-gate.yaml" /etc/huxiao/config.yaml
  echo "install.sh: wrote an example /etc/huxiao/config.yaml; edit it for this site"
fi

# The gallery key (32 random bytes) lives apart from the database in /var/lib/huxiao, readable by the service only.
# A new key is made only while there is no store: one made beside an enrolled gallery would not open it.
key=/etc/huxiao/secrets/gallery.key
if [ ! -e "$key" ]; then
  if [ -e /var/lib/huxiao/huxiao.db ]; then
    echo "install.sh: no $key but a store exists: restore the key from its backup; if no one is enrolled, the service's first enrollment can use a key made by hand (head -c 32 /dev/urandom, owner huxiao, mode 0400)" >&2
  else
    (umask 077 && head -c 32 /dev/urandom > "$key")
    chown huxiao:huxiao "$key"
    chmod 0400 "$key"
    echo "install.sh: created the gallery key $key; back it up off the box (without it enrolled faces cannot be read)"
  fi
fi

install -m 0644 "$src/systemd/huxiao-edge.service" /etc/systemd/system/huxiao-edge.service
systemctl daemon-reload
systemctl enable huxiao-edge.service
echo "install.sh: done. Next: edit /etc/huxiao/config.yaml, 'huxiao check --config /etc/huxiao/config.yaml', 'systemctl start huxiao-edge'"
