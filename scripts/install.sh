#!/usr/bin/env bash
# Installs meshctl from this checkout the way a released package installs: `npm pack` makes the
# package (its prepack script builds dist/), and npm installs that tarball globally, with the
# runtime dependencies only. The GitHub Action (action.yml), the GitLab job and the Argo CD
# plugin's image (examples/ci/) install meshctl with this script from a checkout of a release tag.
#
#   scripts/install.sh                 into npm's global prefix: `meshctl` on the PATH npm set up
#   scripts/install.sh --prefix DIR    into DIR instead: DIR/bin/meshctl
#
# Needs Node.js 20.10 or later with npm, and the npm registry (or npm's cache) for the
# dependencies: the build's dev dependencies in this checkout, the runtime ones for the install.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf 'install: %s\n' "$*" >&2; }
die() { printf 'install: error: %s\n' "$*" >&2; exit 1; }

prefix=()
case $# in
  0) ;;
  2) [[ $1 == --prefix && -n $2 ]] || die "usage: scripts/install.sh [--prefix DIR]"
     prefix=(--prefix "$2") ;;
  *) die "usage: scripts/install.sh [--prefix DIR]" ;;
esac
command -v npm >/dev/null || die "npm is not installed (Node.js 20.10 or later comes with it)"

pack_dir=$(mktemp -d)
trap 'rm -rf "$pack_dir"' EXIT

cd "$ROOT"
log "installing the build's dependencies (npm ci)"
npm ci --no-audit --no-fund >&2
log "building and packing meshctl (npm pack)"
npm pack --pack-destination "$pack_dir" >&2
tarballs=("$pack_dir"/*.tgz)
[[ ${#tarballs[@]} == 1 && -f ${tarballs[0]} ]] || die "npm pack did not write one tarball"
log "installing ${tarballs[0]##*/}${prefix[1]:+ into ${prefix[1]}}"
# From the temporary directory: the checkout's own package.json must not make this a local install.
(cd "$pack_dir" && npm install --global "${prefix[@]}" --no-audit --no-fund "./${tarballs[0]##*/}") >&2
log "installed $(node -p 'require(process.argv[1]).version' "$ROOT/package.json")"
