#!/usr/bin/env bash
# Istio's own code as the judge of meshctl's Istio output: istiod's configuration generator (pilot,
# run in process as istiod's own tests run it) and every `istioctl analyze` analyzer, in one small
# program compiled from the istio.io/istio Go module (test/istio/go.mod), so the version is pinned by
# go.sum like any other dependency. No Docker, no downloaded release binaries.
#
#   scripts/istio.sh build   compile test/istio/judge into .cache/istio/<istio-version>/istio-judge
#   scripts/istio.sh path    build if needed; print the binary's path
#
# Environment:
#   MESHCTL_ISTIO_BUILD_JOBS  parallel Go package builds (default 2: the first build takes a while
#                             and should leave room for everything else on a small machine)
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
MODULE_DIR=$ROOT/test/istio
CACHE_DIR=$ROOT/.cache/istio
JOBS=${MESHCTL_ISTIO_BUILD_JOBS:-2}

log() { printf 'istio: %s\n' "$*" >&2; }
die() { printf 'istio: error: %s\n' "$*" >&2; exit 1; }

# The Istio version is whatever test/istio/go.mod requires, so the cache key cannot drift from what
# is actually compiled.
istio_version() {
  local v
  v=$(awk '{ for (i = 1; i < NF; i++) if ($i == "istio.io/istio" && $(i + 1) ~ /^v/) { print $(i + 1); exit } }' "$MODULE_DIR/go.mod")
  [[ -n $v ]] || die "no istio.io/istio requirement in test/istio/go.mod"
  printf '%s\n' "$v"
}

BIN_DIR=$CACHE_DIR/$(istio_version)
BINARY=$BIN_DIR/istio-judge

# Everything that determines the binary. The directory is keyed by the Istio version; this stamp
# catches the rest (a dependency bump in go.sum, an edited judge).
inputs_hash() {
  (cd "$MODULE_DIR" && find . -name '*.go' -o -name go.mod -o -name go.sum | LC_ALL=C sort |
    while IFS= read -r file; do printf '%s\n' "$file"; cat "$file"; done) | sha256sum | cut -d' ' -f1
}

built() {
  [[ -x $BINARY && -f $BIN_DIR/inputs.sha256 ]] && [[ $(<"$BIN_DIR/inputs.sha256") == "$(inputs_hash)" ]]
}

cmd_build() {
  command -v go >/dev/null || die "go is not installed (Go 1.26 or newer builds the Istio judge)"
  mkdir -p "$CACHE_DIR"
  # Two concurrent builds (two test files starting at once, or one by hand) would both spend many
  # minutes and race on the rename; the second waits for the first and then finds the binary.
  exec 9>"$CACHE_DIR/build.lock"
  flock 9
  if built; then
    log "istio-judge $(istio_version) already built in ${BIN_DIR#"$ROOT"/}"
    return 0
  fi

  log "building istio-judge from istio.io/istio $(istio_version) with $(go env GOVERSION) (minutes the first time) ..."
  local started=$SECONDS tmp
  tmp=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
  # No VCS stamp: the module sits inside this repository, whose commit is irrelevant to the binary.
  # No -trimpath, so that the build shares Go's build cache with a plain `go build` of the same
  # packages; module paths then appear only in the stack trace of a crash.
  if ! (cd "$MODULE_DIR" && nice -n 10 go build -p "$JOBS" -mod=readonly -buildvcs=false \
    -ldflags "-s -w" -o "$tmp/istio-judge" ./judge); then
    rm -rf "$tmp"
    die "go build failed"
  fi
  inputs_hash >"$tmp/inputs.sha256"
  # Replace the directory as a whole so that an interrupted build never leaves a half-written binary
  # that a later run would take as built.
  rm -rf "$BIN_DIR"
  mv "$tmp" "$BIN_DIR"
  log "built in $((SECONDS - started))s: ${BIN_DIR#"$ROOT"/}/istio-judge"
}

main() {
  case ${1:-} in
    build) cmd_build ;;
    path)
      built || cmd_build
      printf '%s\n' "$BINARY"
      ;;
    *) die "usage: $0 build|path" ;;
  esac
}

main "$@"
