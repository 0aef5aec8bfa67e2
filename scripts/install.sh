#!/usr/bin/env bash
# Installs Huxiao Edge on a gateway (Debian 12 / Raspberry Pi OS bookworm, x86_64 or aarch64), from a checkout set up
# with scripts/setup.sh (or npm ci):  sudo scripts/install.sh   (or  echo "$PASSWORD" | sudo scripts/install.sh)
# The gateway gets its own Node.js (the version pinned in scripts/node-runtime.sh, in /opt/huxiao-edge/node: the
# service never runs on whatever Node the box has), the runtime alone (edge/ compiled on its own, the models, the
# example configs) and the production dependencies, their native modules compiled for that Node, in /opt/huxiao-edge.
# Tests, benchmarks and the dev kit stay in the checkout. It creates the huxiao user, /etc/huxiao (an example config,
# never overwriting one), the state directory, the gallery key, the page's password (asked at a terminal, or one line
# on standard input), and installs + enables the systemd unit; it does not start the service.
# Every step checks first and says what it changed or that it was already so: a second run changes nothing.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/node-runtime.sh
. "$src/scripts/node-runtime.sh"
prefix=/opt/huxiao-edge
node="$prefix/node/bin/node"
cli="$prefix/dist/edge/cli/main.js"
etc=/etc/huxiao
state=/var/lib/huxiao
changes=0

changed() { changes=$((changes + 1)); echo "install.sh: $1: $2"; }
unchanged() { echo "install.sh: $1: unchanged ($2)"; }

check_prerequisites() {
  [ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
  # npm (any version, with the Node.js it runs on) only fetches the pinned runtime and the dependencies; from then on
  # everything runs on the gateway's own Node.
  command -v npm >/dev/null || { echo "install.sh: npm is required to fetch the Node.js runtime and the dependencies (scripts/setup.sh installs it)" >&2; exit 1; }
  [ -x "$src/node_modules/.bin/tsc" ] || { echo "install.sh: set up the checkout first (scripts/setup.sh, or npm ci)" >&2; exit 1; }
  node_runtime_package >/dev/null || { echo "install.sh: no Node.js runtime package for $(uname -m); x86_64 and aarch64 are supported" >&2; exit 1; }
}

# The tools the runtime runs: ffmpeg decodes the cameras; espeak-ng, sox and aplay make and play the warnings; the
# gpiod tools drive GPIO on kernels without sysfs GPIO; systemd-notify tells systemd the service is ready and alive.
# g++, make and python3 compile better-sqlite3 and epoll for the gateway's Node.
install_system_packages() {
  local packages=(ffmpeg espeak-ng sox alsa-utils gpiod systemd g++ make python3) missing=() package
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then unchanged "Debian packages" "${packages[*]}"; return; fi
  apt-get update -q </dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
  changed "Debian packages" "installed ${missing[*]}"
}

install_node_runtime() {
  if [ "$("$node" -v 2>/dev/null)" = "v$NODE_RUNTIME_VERSION" ]; then unchanged "Node.js" "$node v$NODE_RUNTIME_VERSION"; return; fi
  mkdir -p "$prefix"
  fetch_node_runtime "$prefix/node" </dev/null
  changed "Node.js" "installed v$NODE_RUNTIME_VERSION ($(node_runtime_package)) in $prefix/node"
}

create_user() {
  local group
  for group in gpio huxiao; do
    if ! getent group "$group" >/dev/null; then groupadd --system "$group"; changed "group $group" "created"; fi
  done
  if getent passwd huxiao >/dev/null; then
    unchanged "user huxiao" "exists"
  else
    useradd --system --home-dir "$state" --shell /usr/sbin/nologin --gid huxiao huxiao
    changed "user huxiao" "created"
  fi
  for group in gpio audio; do
    if id -nG huxiao | tr ' ' '\n' | grep -qx "$group"; then continue; fi
    usermod -a -G "$group" huxiao
    changed "user huxiao" "added to the $group group"
  done
}

# The app is staged beside the installed one and swapped in only if it differs, so a second run leaves it untouched.
install_app() {
  local stage item differs=no
  stage="$(mktemp -d "$prefix.stage.XXXXXX")"
  # A failed or interrupted staging must not leave the half-built copy beside the app.
  trap "rm -rf '$stage'" EXIT
  "$src/scripts/stage-runtime.sh" "$stage" >/dev/null
  for item in dist config models README.md package.json package-lock.json; do
    [ -e "$stage/$item" ] || continue
    diff -rq "$stage/$item" "$prefix/$item" >/dev/null 2>&1 || differs=yes
  done
  if [ "$differs" = no ]; then
    rm -rf "$stage"
    trap - EXIT
    unchanged "app" "$prefix/dist, config, models"
    return
  fi
  for item in dist config models README.md package.json package-lock.json; do
    rm -rf "${prefix:?}/$item"
    if [ -e "$stage/$item" ]; then mv "$stage/$item" "$prefix/$item"; fi
  done
  rm -rf "$stage"
  trap - EXIT
  changed "app" "installed version $("$node" -p "require('$prefix/package.json').version") in $prefix"
}

# Production dependencies only, from the lockfile: no TypeScript, ESLint, TF.js or the demo's broker. The native ones
# are compiled for the gateway's Node against the headers it ships (nodedir): prebuild-install would otherwise try to
# download a prebuilt binary, and node-gyp the headers, neither of which a gateway can be relied on to reach
# (npm warns that it does not know build-from-source; prebuild-install reads it from the environment). onnxruntime-node's
# install script, which would fetch CUDA libraries, stays off: package.json's allowScripts under npm 11, the variable
# under an older npm; its CPU binaries are in the package.
install_dependencies() {
  local stamp_file="$prefix/node_modules/.huxiao-install" stamp
  stamp="node v$NODE_RUNTIME_VERSION, lockfile $(sha256sum "$prefix/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then unchanged "dependencies" "$stamp"; return; fi
  (cd "$prefix" && ONNXRUNTIME_NODE_INSTALL=skip npm_config_build_from_source=true \
    npm ci --omit=dev --no-audit --no-fund --nodedir="$prefix/node" </dev/null)
  (cd "$prefix" && "$node" -e "new (require('better-sqlite3'))(':memory:').close(); require('epoll')") \
    || { echo "install.sh: the native modules do not load on $("$node" -v)" >&2; exit 1; }
  echo "$stamp" > "$stamp_file"
  changed "dependencies" "installed ($stamp)"
}

install_command() {
  local wrapper
  wrapper="$(printf '#!/bin/sh\n# The huxiao command, on the gateway'"'"'s own Node.js (scripts/install.sh).\nexec %s %s "$@"\n' "$node" "$cli")"
  if [ "$(cat /usr/local/bin/huxiao 2>/dev/null)" = "$wrapper" ] && [ -x /usr/local/bin/huxiao ] && [ ! -L /usr/local/bin/huxiao ]; then
    unchanged "command" "/usr/local/bin/huxiao"
    return
  fi
  rm -f /usr/local/bin/huxiao
  echo "$wrapper" > /usr/local/bin/huxiao
  chmod 0755 /usr/local/bin/huxiao
  changed "command" "/usr/local/bin/huxiao runs $cli on $node"
}

# Sets owner, group and mode of an existing path, saying so only when one of them was different.
ensure_owner_mode() {
  local path="$1" owner="$2" mode="$3"
  if [ "$(stat -c '%U:%G %a' "$path")" = "$owner $mode" ]; then unchanged "$path" "$owner $mode"; return; fi
  chown "$owner" "$path"
  chmod "$mode" "$path"
  changed "$path" "$owner $mode"
}

ensure_dir() {
  if [ ! -d "$1" ]; then install -d "$1"; fi
  ensure_owner_mode "$@"
}

# /etc/huxiao is writable by the service's group with the sticky bit: the page's zone editor saves config.yaml by
# writing a temporary file beside it and renaming it over the old one, so the service needs to create files here and
# to own config.yaml; the sticky bit keeps it from renaming or deleting what root owns (the page's password hash, the
# secrets directory). The unit makes /etc/huxiao writable (ReadWritePaths) and secrets/ read-only again.
install_config() {
  # chown and chmod would act on a symlink's target while stat reads the link: a linked config is not ours to own.
  if [ -L "$etc/config.yaml" ]; then echo "install.sh: $etc/config.yaml is a symlink; make it a file (the page's editor replaces it by rename)" >&2; exit 1; fi
  ensure_dir "$etc" root:huxiao 1770
  ensure_dir "$etc/secrets" root:huxiao 750
  if [ ! -e "$etc/config.yaml" ]; then
    install -m 0640 -o huxiao -g huxiao "$src/config/school-gate.yaml" "$etc/config.yaml"
    changed "$etc/config.yaml" "wrote the example config (school-gate.yaml); edit it for this site"
  else
    ensure_owner_mode "$etc/config.yaml" huxiao:huxiao 640
  fi
  ensure_dir "$state" huxiao:huxiao 750
}

# The gallery key (32 random bytes) lives apart from the database, readable by the service only. A new key is made
# only while there is no store: one made beside an enrolled gallery would not open it.
install_gallery_key() {
  local key="$etc/secrets/gallery.key"
  if [ -e "$key" ]; then ensure_owner_mode "$key" huxiao:huxiao 400; return; fi
  if [ -e "$state/huxiao.db" ]; then
    echo "install.sh: no $key but a store exists: restore the key from its backup; if no one is enrolled, the service's first enrollment can use a key made by hand (head -c 32 /dev/urandom, owner huxiao, mode 0400)" >&2
    return
  fi
  # Written beside and renamed into place: an interrupted run must not leave a short key that later runs would keep.
  (umask 077 && head -c 32 /dev/urandom > "$key.new")
  [ "$(stat -c %s "$key.new")" -eq 32 ] || { echo "install.sh: $key.new: could not write 32 random bytes" >&2; exit 1; }
  chown huxiao:huxiao "$key.new"
  chmod 0400 "$key.new"
  mv -f "$key.new" "$key"
  changed "$key" "created; back it up off the box (without it enrolled faces cannot be read)"
}

# Asked at a terminal (twice, without echo), or the first line of standard input; with neither (no terminal, nothing
# or an empty line on standard input) the password is left for the next steps. Only its scrypt hash is stored.
install_web_password() {
  local file="$etc/web-password" password=''
  if [ -e "$file" ]; then unchanged "$file" "the page's password is set"; return; fi
  if [ -t 0 ]; then
    "$node" "$cli" web-password --file "$file" >/dev/null
  else
    IFS= read -r password || true
    if [ -z "$password" ]; then echo "install.sh: $file: not set (no terminal, and no password on standard input)"; return; fi
    printf '%s\n' "$password" | "$node" "$cli" web-password --file "$file" >/dev/null
  fi
  changed "$file" "the page's password is set"
}

install_service() {
  local unit=/etc/systemd/system/huxiao-edge.service
  if cmp -s "$src/systemd/huxiao-edge.service" "$unit"; then
    unchanged "$unit" "as in systemd/"
  else
    install -m 0644 "$src/systemd/huxiao-edge.service" "$unit"
    changed "$unit" "installed"
    # Only a running systemd has units to reload; in a chroot or an image being built there is none.
    if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
  fi
  if systemctl is-enabled --quiet huxiao-edge.service 2>/dev/null; then
    unchanged "huxiao-edge.service" "enabled"
  else
    systemctl enable --quiet huxiao-edge.service
    changed "huxiao-edge.service" "enabled (starts at boot)"
  fi
}

next_steps() {
  if [ "$changes" -eq 0 ]; then echo "install.sh: nothing changed: everything was already installed"; else echo "install.sh: done ($changes changes)"; fi
  echo "Next:"
  if [ ! -e "$etc/web-password" ]; then echo "  - set the local page's password: sudo huxiao web-password"; fi
  echo "  - edit $etc/config.yaml for this site (cameras, zones, rules, MQTT; examples in $prefix/config/)"
  echo "  - validate it: sudo huxiao check --config $etc/config.yaml"
  if [ -d /run/systemd/system ] && systemctl is-active --quiet huxiao-edge.service; then
    if [ "$changes" -gt 0 ]; then echo "  - apply the new install: sudo systemctl restart huxiao-edge"; fi
  else
    echo "  - start it: sudo systemctl start huxiao-edge; then systemctl status huxiao-edge, journalctl -u huxiao-edge"
  fi
  echo "  - back up $etc/secrets/gallery.key off the box"
  echo "  - open the local page on port 8080 of this box's LAN address (docs/operations.md)"
}

check_prerequisites
install_system_packages
install_node_runtime
# From here on everything runs on the gateway's own Node: the build (tsc), npm and the native builds it starts.
export PATH="$prefix/node/bin:$PATH"
create_user
install_app
install_dependencies
install_command
install_config
install_gallery_key
install_web_password
install_service
next_steps
