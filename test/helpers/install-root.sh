#!/usr/bin/env bash
# A throwaway Debian 12 root for testing scripts/install.sh (test/integration/install/install-root.test.ts):
#   test/helpers/install-root.sh create ROOT      a fresh minimal bookworm (debootstrap --variant=minbase, cached as a
#                                                 tarball in .cache/install-root/) with a copy of this checkout in /src
#   test/helpers/install-root.sh run ROOT CMD...  CMD chrooted in ROOT, as root
# run mounts what the chroot needs (/proc, /dev, the checkout's node_modules, this machine's node and npm standing for
# the set-up checkout's, the apt and npm caches of .cache/install-root/) in a private mount namespace, so nothing is
# left mounted when it ends, however it ends. HUXIAO_ROOT_NO_NODE=1 leaves node and npm out: only the Node.js that
# install.sh put in the root remains.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
cache="$src/.cache/install-root"
[ $# -ge 2 ] || { echo "usage: install-root.sh create ROOT | run ROOT CMD..." >&2; exit 2; }
command="$1"
root="$2"
shift 2

create() {
  local base="$cache/bookworm-minbase.tar"
  mkdir -p "$cache/apt-archives/partial" "$cache/npm-cache"
  if [ ! -e "$base" ]; then
    command -v debootstrap >/dev/null || { echo "install-root.sh: debootstrap is not installed (apt-get install debootstrap; scripts/setup.sh does it)" >&2; exit 1; }
    local work="$cache/debootstrap"
    rm -rf "$work"
    debootstrap --variant=minbase --cache-dir="$cache/apt-archives" bookworm "$work" >"$cache/debootstrap.log" 2>&1 \
      || { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
    tar -C "$work" -cf "$base.tmp" .
    mv "$base.tmp" "$base"
    rm -rf "$work"
  fi
  rm -rf "$root"
  mkdir -p "$root"
  tar -C "$root" -xf "$base"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # A test root needs no fsync per file, documentation or translations: install.sh's Debian packages unpack in about
  # half the time.
  printf '%s\n' force-unsafe-io 'path-exclude=/usr/share/doc/*' 'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/locale/*' \
    > "$root/etc/dpkg/dpkg.cfg.d/install-root"
  mkdir -p "$root/src/node_modules" "$root/usr/local/lib/node_modules/npm"
  tar -C "$src" --exclude=./node_modules --exclude=./.cache --exclude=./.git --exclude=./dist -cf - . | tar -C "$root/src" -xf -
  touch "$root/usr/local/bin/node"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
}

run() {
  [ -d "$root/src" ] || { echo "install-root.sh: $root is not a root made by 'create'" >&2; exit 1; }
  local node npm ca=()
  node="$(readlink -f "$(command -v node)")"
  # Extra certificate authorities this machine's way to the npm registry needs go along into the root.
  if [ -r "${NODE_EXTRA_CA_CERTS:-}" ]; then
    mkdir -p "$root/etc/ssl/certs"
    cp "$NODE_EXTRA_CA_CERTS" "$root/etc/ssl/certs/install-root-extra-ca.pem"
    ca=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/install-root-extra-ca.pem)
  fi
  npm="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  # The mounts are made inside the new namespace; the script's variables reach it through the environment.
  ROOT="$root" CA="${ca[*]}" NODE_BIN="$node" NPM_DIR="$npm" MODULES="$(readlink -f "$src/node_modules")" CACHE="$cache" \
    unshare --mount --propagation private -- bash -euc '
      mount -t proc proc "$ROOT/proc"
      mount --rbind /dev "$ROOT/dev"
      mount --bind -o ro "$MODULES" "$ROOT/src/node_modules"
      mount --bind "$CACHE/apt-archives" "$ROOT/var/cache/apt/archives"
      mkdir -p "$ROOT/root/.npm"
      mount --bind "$CACHE/npm-cache" "$ROOT/root/.npm"
      if [ "${HUXIAO_ROOT_NO_NODE:-}" != 1 ]; then
        mount --bind -o ro "$NODE_BIN" "$ROOT/usr/local/bin/node"
        mount --bind -o ro "$NPM_DIR" "$ROOT/usr/local/lib/node_modules/npm"
      fi
      exec chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 $CA "$@"
    ' install-root "$@"
}

case "$command" in
  create) create ;;
  run) run "$@" ;;
  *) echo "install-root.sh: unknown command $command (create, run)" >&2; exit 2 ;;
esac
