#!/usr/bin/env bash
# A real, local Kubernetes API server (kube-apiserver + etcd) for meshctl's tests and for trying
# meshctl by hand. No Docker, no downloaded release binaries: both are compiled from their Go modules
# (test/cluster/go.mod), so the versions are pinned by go.sum like any other dependency.
#
#   scripts/cluster.sh build   compile kube-apiserver and etcd into .cache/cluster/<k8s-version>/
#   scripts/cluster.sh up      build if needed, start both on 127.0.0.1, install Istio's and the
#                              Gateway API's CRDs (scripts/externals.sh fetches them at the versions
#                              scripts/externals.json pins) and Istio's root namespace, wait until
#                              ready; prints the kubeconfig path on stdout
#   scripts/cluster.sh down    stop both and remove the run data
#
# For tests of a running cluster (all need `up` first, with the same MESHCTL_CLUSTER_RUN_DIR):
#   scripts/cluster.sh user NAME [GROUP...]
#                              issue a client certificate for user NAME in the given groups, signed
#                              by the run's CA, and write a kubeconfig for it (same server, same
#                              context name); prints its path. NAME starts with no permissions
#                              beyond RBAC's bootstrap roles: grant them with the admin kubeconfig.
#   scripts/cluster.sh stop-apiserver
#                              stop kube-apiserver only; etcd keeps the data
#   scripts/cluster.sh start-apiserver
#                              start it again on the same port against the same etcd, so that
#                              every kubeconfig stays valid; waits until it is ready
#
# Environment:
#   MESHCTL_CLUSTER_RUN_DIR        run data (certificates, etcd data, logs, kubeconfig); default
#                                  .cache/cluster/run. Tests use their own so that they never stop
#                                  a cluster someone started by hand.
#   MESHCTL_CLUSTER_BUILD_JOBS     parallel Go package builds (default 2: the first build takes a
#                                  while and should leave room for everything else on a small machine)
#   MESHCTL_CLUSTER_READY_TIMEOUT  seconds to wait for each server and for the CRDs (default 120)
#   KUBECTL                        kubectl used to install the CRDs (default /usr/bin/kubectl)
#
# There is no kube-controller-manager: deleted namespaces stay Terminating, owner references are
# not garbage-collected, and new namespaces get no default ServiceAccount. That is the envtest model,
# and it is enough for what meshctl does (server-side apply, dry-run, list, delete).
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
MODULE_DIR=$ROOT/test/cluster
CACHE_DIR=$ROOT/.cache/cluster
# Absolute, because `down` finds its processes by this path on their command lines.
RUN_DIR=$(realpath -m -- "${MESHCTL_CLUSTER_RUN_DIR:-$CACHE_DIR/run}")
KUBECTL=${KUBECTL:-/usr/bin/kubectl}
JOBS=${MESHCTL_CLUSTER_BUILD_JOBS:-2}

# Seconds to wait for each stage; the API server is usually ready in a few seconds, but a loaded CI
# machine can be much slower, and failing late is better than failing flakily.
READY_TIMEOUT=${MESHCTL_CLUSTER_READY_TIMEOUT:-120}

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { printf 'cluster: error: %s\n' "$*" >&2; exit 1; }

# The Kubernetes version is whatever test/cluster/go.mod requires, so the cache key cannot drift
# from what is actually compiled.
k8s_version() {
  local v
  v=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v1\./ { print $2; exit }' "$MODULE_DIR/go.mod")
  [[ -n $v ]] || die "no k8s.io/kubernetes requirement in $MODULE_DIR/go.mod"
  printf '%s\n' "$v"
}

BIN_DIR=$CACHE_DIR/$(k8s_version)

# Everything that determines the binaries. The directory is keyed by the Kubernetes version; this
# stamp catches the rest (an etcd bump, an edited main.go) without a second level of directories.
inputs_hash() {
  (cd "$MODULE_DIR" && cat go.mod go.sum kube-apiserver/main.go etcd/main.go) | sha256sum | cut -d' ' -f1
}

built() {
  [[ -x $BIN_DIR/kube-apiserver && -x $BIN_DIR/etcd && -f $BIN_DIR/inputs.sha256 ]] &&
    [[ $(<"$BIN_DIR/inputs.sha256") == "$(inputs_hash)" ]]
}

cmd_build() {
  command -v go >/dev/null || die "go is not installed (Go 1.26 or newer builds kube-apiserver and etcd)"
  mkdir -p "$CACHE_DIR"
  # Two concurrent builds (an `up` in a test and one by hand) would both spend many minutes and race
  # on the rename; the second waits for the first and then finds the binaries in place.
  exec 9>"$CACHE_DIR/build.lock"
  flock 9
  if built; then
    log "kube-apiserver and etcd $(k8s_version) already built in ${BIN_DIR#"$ROOT"/}"
    return 0
  fi

  local version major minor
  version=$(k8s_version)
  major=${version#v}; major=${major%%.*}
  minor=${version#v*.}; minor=${minor%%.*}
  # As in a release build (hack/lib/version.sh upstream): the API server derives its binary and
  # emulation versions from these, and without them reports itself as v0.0.0-master to clients.
  local ldflags="-s -w"
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done

  log "building kube-apiserver and etcd $version with $(go env GOVERSION) (minutes the first time) ..."
  local started=$SECONDS tmp
  tmp=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
  # Static binaries as upstream ships them; -trimpath and no VCS stamp keep them reproducible from
  # go.sum alone (the module sits inside this repository, whose commit is irrelevant to them).
  if ! (cd "$MODULE_DIR" && CGO_ENABLED=0 nice -n 10 go build -p "$JOBS" -mod=readonly -trimpath -buildvcs=false \
    -ldflags "$ldflags" -o "$tmp/" ./kube-apiserver ./etcd); then
    rm -rf "$tmp"
    die "go build failed"
  fi
  inputs_hash >"$tmp/inputs.sha256"
  # Replace the directory as a whole so that an interrupted build never leaves a half-written binary
  # that a later `up` would take as built.
  rm -rf "$BIN_DIR"
  mv "$tmp" "$BIN_DIR"
  log "built in $((SECONDS - started))s: ${BIN_DIR#"$ROOT"/}"
}

# --- run -------------------------------------------------------------------------------------

KUBECONFIG_FILE=$RUN_DIR/kubeconfig
# Written at `up`, checked at `down`: a mistyped MESHCTL_CLUSTER_RUN_DIR must never get rm -rf.
MARKER=$RUN_DIR/.meshctl-cluster

# A process is ours when it is alive, not a zombie, and was started with this run directory on its
# command line; a recycled pid belonging to someone else fails the last test.
ours() {
  local pid=$1 state
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ $state != Z ]] || return 1
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$RUN_DIR/"* ]]
}

pid_of() { [[ -f $RUN_DIR/$1.pid ]] && cat "$RUN_DIR/$1.pid"; }

alive() {
  local pid
  pid=$(pid_of "$1") && [[ -n $pid ]] && ours "$pid"
}

stop() {
  local name=$1 pid i
  pid=$(pid_of "$name") || return 0
  [[ -n $pid ]] && ours "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  # kube-apiserver drains in-flight requests and etcd syncs before exiting; both take well under
  # a second here, the margin is for a loaded machine.
  for ((i = 0; i < 150; i++)); do
    ours "$pid" || return 0
    sleep 0.1
  done
  log "$name (pid $pid) ignored SIGTERM for 15s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    ours "$pid" || return 0
    sleep 0.1
  done
  die "$name (pid $pid) is still running"
}

# Detached from the caller's session and terminal: `up` returns while the servers keep running,
# and a test runner waiting for `up`'s output must not also wait on their stdout. The pid is
# written by the process itself just before it becomes the server, so it is the server's pid.
start() {
  local name=$1 i
  shift
  rm -f "$RUN_DIR/$name.pid"
  setsid -f bash -c 'echo $$ >"$0"; exec "$@"' "$RUN_DIR/$name.pid" "$@" \
    </dev/null >"$RUN_DIR/$name.log" 2>&1
  for ((i = 0; i < 50; i++)); do
    [[ -s $RUN_DIR/$name.pid ]] && return 0
    sleep 0.1
  done
  die "$name did not start"
}

# Three distinct ports the kernel considers free on loopback, held open together so they differ.
# Another process can still take one before the servers bind it; `up` retries when that happens.
free_ports() {
  node -e '
    const net = require("node:net");
    Promise.all([0, 0, 0].map(() => new Promise((resolve, reject) => {
      const server = net.createServer().on("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(server));
    }))).then((servers) => {
      console.log(servers.map((s) => s.address().port).join(" "));
      for (const s of servers) s.close();
    });'
}

PKI_DIR=$RUN_DIR/pki

# ECDSA keys: generated in milliseconds, accepted everywhere here.
ossl_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# Signs PKI_DIR/NAME.crt (with a new key NAME.key) by the run's CA.
issue() { # name subject extensions...
  local name=$1 subject=$2 d=$PKI_DIR
  shift 2
  ossl_key "$d/$name.key"
  openssl req -new -key "$d/$name.key" -subj "$subject" -out "$d/$name.csr"
  openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 365 -out "$d/$name.crt" -extfile <(printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
      'keyUsage=critical,digitalSignature' 'authorityKeyIdentifier=keyid' "$@") 2>/dev/null
  rm -f "$d/$name.csr"
}

# A private CA signs the API server's serving certificate and the admin's client certificate; the
# kubeconfig trusts only that CA.
make_certs() {
  local d=$PKI_DIR
  mkdir -p "$d"
  ossl_key "$d/ca.key"
  openssl req -x509 -new -key "$d/ca.key" -out "$d/ca.crt" -days 365 -subj "/CN=meshctl-local-ca" \
    -config <(printf '%s\n' '[req]' 'distinguished_name=dn' 'x509_extensions=ext' '[dn]' '[ext]' \
      'basicConstraints=critical,CA:TRUE' 'keyUsage=critical,keyCertSign,cRLSign' \
      'subjectKeyIdentifier=hash')
  issue serving "/CN=kube-apiserver" 'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1,DNS:localhost'
  # system:masters is the group RBAC's bootstrap policy binds to cluster-admin.
  issue admin "/O=system:masters/CN=meshctl-admin" 'extendedKeyUsage=clientAuth'
  # Service-account tokens are signed with this key; RSA, as most token consumers expect RS256.
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/service-account.key" 2>/dev/null
  openssl pkey -in "$d/service-account.key" -pubout -out "$d/service-account.pub"
}

# A kubeconfig for the API server on PORT, authenticating with PKI_DIR/CERT.{crt,key}.
write_kubeconfig() { # file port user cert
  local file=$1 port=$2 user=$3 cert=$4 d=$PKI_DIR
  b64() { base64 -w0 <"$1"; }
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: meshctl-local
    cluster:
      server: https://127.0.0.1:$port
      certificate-authority-data: $(b64 "$d/ca.crt")
users:
  - name: $user
    user:
      client-certificate-data: $(b64 "$d/$cert.crt")
      client-key-data: $(b64 "$d/$cert.key")
contexts:
  - name: meshctl-local
    context:
      cluster: meshctl-local
      user: $user
current-context: meshctl-local
EOF
}

# Polls URL (over TLS with the admin certificate when it is https) until it answers "ok", failing
# early when the server behind it has exited.
wait_ok() {
  local name=$1 url=$2 deadline=$((SECONDS + READY_TIMEOUT)) d=$RUN_DIR/pki body
  local -a tls=()
  [[ $url == https:* ]] && tls=(--cacert "$d/ca.crt" --cert "$d/admin.crt" --key "$d/admin.key")
  while ((SECONDS < deadline)); do
    alive "$name" || return 1
    body=$(curl -fsS --max-time 5 "${tls[@]}" "$url" 2>/dev/null) || body=
    [[ $body == ok || $body == *'"health":"true"'* ]] && return 0
    sleep 0.2
  done
  log "$name: $url not ok after ${READY_TIMEOUT}s"
  return 1
}

failed() {
  local name
  for name in etcd kube-apiserver; do
    [[ -s $RUN_DIR/$name.log ]] || continue
    log "last lines of $name.log:"
    tail -n 25 "$RUN_DIR/$name.log" | sed 's/^/    /' >&2
  done
  stop kube-apiserver || true
  stop etcd || true
  rm -rf "$RUN_DIR"
}

# Starts etcd and kube-apiserver on fresh ports. Returns 2 when a port was taken in the meantime
# (worth another try), 1 on any other failure.
start_servers() {
  local ports etcd_client etcd_peer apiserver
  ports=$(free_ports) || return 1
  read -r etcd_client etcd_peer apiserver <<<"$ports"

  # No fsync: the data is thrown away at `down`, and fsync dominates etcd's latency on CI disks.
  start etcd "$BIN_DIR/etcd" \
    --name=meshctl-local \
    --data-dir="$RUN_DIR/etcd" \
    --listen-client-urls="http://127.0.0.1:$etcd_client" \
    --advertise-client-urls="http://127.0.0.1:$etcd_client" \
    --listen-peer-urls="http://127.0.0.1:$etcd_peer" \
    --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer" \
    --initial-cluster="meshctl-local=http://127.0.0.1:$etcd_peer" \
    --unsafe-no-fsync=true \
    --log-level=warn
  if ! wait_ok etcd "http://127.0.0.1:$etcd_client/health"; then
    grep -q 'address already in use' "$RUN_DIR/etcd.log" && return 2
    return 1
  fi

  printf '%s\n' "$etcd_client" >"$RUN_DIR/etcd-port"
  start_apiserver "$apiserver" "$etcd_client" || return $?
  printf '%s\n' "$apiserver" >"$RUN_DIR/port"
}

# Starts kube-apiserver on PORT against the etcd on ETCD_PORT and waits until it is ready. Returns 2
# when the port was taken (worth another try), 1 on any other failure.
start_apiserver() { # port etcd-port
  local apiserver=$1 etcd_client=$2 d=$PKI_DIR
  # The flags follow controller-runtime's envtest. Beyond them: loopback only, and no endpoint
  # reconciler, since a loopback address is not a valid endpoint for the `kubernetes` Service.
  start kube-apiserver "$BIN_DIR/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_client" \
    --bind-address=127.0.0.1 \
    --secure-port="$apiserver" \
    --advertise-address=127.0.0.1 \
    --endpoint-reconciler-type=none \
    --cert-dir="$RUN_DIR/pki" \
    --tls-cert-file="$d/serving.crt" \
    --tls-private-key-file="$d/serving.key" \
    --client-ca-file="$d/ca.crt" \
    --authorization-mode=RBAC \
    --service-account-issuer="https://127.0.0.1:$apiserver" \
    --service-account-key-file="$d/service-account.pub" \
    --service-account-signing-key-file="$d/service-account.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --disable-admission-plugins=ServiceAccount \
    --allow-privileged=true \
    --profiling=false
  if ! wait_ok kube-apiserver "https://127.0.0.1:$apiserver/readyz"; then
    grep -q 'address already in use' "$RUN_DIR/kube-apiserver.log" && return 2
    return 1
  fi
}

running() {
  [[ -f $MARKER && -f $KUBECONFIG_FILE ]] && alive etcd && alive kube-apiserver &&
    wait_ok kube-apiserver "https://127.0.0.1:$(<"$RUN_DIR/port")/readyz" 2>/dev/null
}

cmd_up() {
  local tool
  for tool in openssl curl node setsid; do
    command -v "$tool" >/dev/null || die "$tool is required"
  done
  [[ -x $KUBECTL ]] || die "kubectl not found at $KUBECTL (set KUBECTL)"
  # Fetched (once) before anything starts, so that a registry that cannot be reached fails early.
  local -a crds=()
  local crd_file name
  for name in istio-crds gateway-api-crds; do
    crd_file=$("$ROOT/scripts/externals.sh" path "$name") || die "cannot fetch the $name (scripts/externals.sh path $name)"
    crds+=(-f "$crd_file")
  done

  if [[ -f $MARKER ]] && READY_TIMEOUT=5 running; then
    log "already running"
    printf '%s\n' "$KUBECONFIG_FILE"
    return 0
  fi
  # Left over from a run that was not brought down (a killed test run, a reboot).
  [[ -e $RUN_DIR ]] && cmd_down

  built || cmd_build
  exec 9>&-

  local started=$SECONDS attempt status
  umask 077
  mkdir -p "$RUN_DIR"
  : >"$MARKER"
  trap 'failed' EXIT
  trap 'exit 130' INT TERM
  make_certs

  for attempt in 1 2 3; do
    status=0
    start_servers || status=$?
    ((status == 2)) || break
    log "a port was taken while starting (attempt $attempt); retrying on other ports"
    stop kube-apiserver
    stop etcd
    rm -rf "$RUN_DIR/etcd"
  done
  ((status == 0)) || die "the API server did not become ready"
  write_kubeconfig "$KUBECONFIG_FILE" "$(<"$RUN_DIR/port")" meshctl-admin admin

  "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" apply --server-side --field-manager=cluster-setup \
    "${crds[@]}" >/dev/null || die "installing the CRDs failed"
  "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" wait --for=condition=Established --timeout="${READY_TIMEOUT}s" \
    "${crds[@]}" >/dev/null || die "the CRDs were not established"
  # An Istio installation creates its root namespace; mesh-wide objects (PeerAuthentication,
  # Sidecar, Telemetry named "default") live there.
  printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n' |
    "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" apply --server-side --field-manager=cluster-setup -f - >/dev/null ||
    die "creating the istio-system namespace failed"

  trap - EXIT
  log "kube-apiserver $(k8s_version) ready at https://127.0.0.1:$(<"$RUN_DIR/port") in $((SECONDS - started))s"
  printf '%s\n' "$KUBECONFIG_FILE"
}

cmd_down() {
  if [[ ! -e $RUN_DIR ]]; then
    log "not running"
    return 0
  fi
  [[ -f $MARKER ]] || die "$RUN_DIR was not created by this script; not touching it"
  # The API server first, so that it does not spend its shutdown retrying a vanished etcd.
  stop kube-apiserver
  stop etcd
  rm -rf "$RUN_DIR"
  log "stopped; removed ${RUN_DIR#"$ROOT"/}"
}

# The subcommands below work on a cluster that `up` started in RUN_DIR.
require_up() {
  [[ -f $MARKER && -f $RUN_DIR/port && -f $RUN_DIR/etcd-port ]] ||
    die "no cluster in ${RUN_DIR#"$ROOT"/} (run \`$0 up\` first, with the same MESHCTL_CLUSTER_RUN_DIR)"
}

# A user name becomes a file name and a certificate subject: keep to characters safe in both.
valid_name() { [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._:@-]*$ ]]; }

cmd_user() {
  local name=${1:-} group subject=
  [[ -n $name ]] || die "usage: $0 user NAME [GROUP...]"
  shift
  require_up
  valid_name "$name" || die "invalid user name '$name' (letters, digits and . _ : @ - only)"
  for group in "$@"; do
    valid_name "$group" || die "invalid group name '$group' (letters, digits and . _ : @ - only)"
    subject+="/O=$group"
  done
  umask 077
  mkdir -p "$RUN_DIR/users"
  issue "user-$name" "$subject/CN=$name" 'extendedKeyUsage=clientAuth'
  write_kubeconfig "$RUN_DIR/users/$name.kubeconfig" "$(<"$RUN_DIR/port")" "$name" "user-$name"
  printf '%s\n' "$RUN_DIR/users/$name.kubeconfig"
}

cmd_stop_apiserver() {
  require_up
  stop kube-apiserver
  log "kube-apiserver stopped; etcd is still running"
}

cmd_start_apiserver() {
  require_up
  alive etcd || die "etcd is not running; \`$0 down\` and \`$0 up\` start afresh"
  if alive kube-apiserver; then
    log "kube-apiserver is already running"
    return 0
  fi
  local status attempt
  # The port must be the old one, so that kubeconfigs stay valid. A process just stopped may hold
  # it for a moment after `stop` saw it go (its command line vanishes before its sockets close).
  for attempt in 1 2 3 4 5; do
    status=0
    start_apiserver "$(<"$RUN_DIR/port")" "$(<"$RUN_DIR/etcd-port")" || status=$?
    ((status == 2)) || break
    stop kube-apiserver || true
    sleep "$attempt"
  done
  if ((status != 0)); then
    log "last lines of kube-apiserver.log:"
    tail -n 25 "$RUN_DIR/kube-apiserver.log" | sed 's/^/    /' >&2
    stop kube-apiserver || true
    ((status == 2)) && die "port $(<"$RUN_DIR/port") was taken while kube-apiserver was stopped"
    die "kube-apiserver did not become ready"
  fi
  log "kube-apiserver ready again at https://127.0.0.1:$(<"$RUN_DIR/port")"
}

main() {
  case ${1:-} in
    build) cmd_build ;;
    up) cmd_up ;;
    down) cmd_down ;;
    user) shift; cmd_user "$@" ;;
    stop-apiserver) cmd_stop_apiserver ;;
    start-apiserver) cmd_start_apiserver ;;
    *) die "usage: $0 build|up|down|user NAME [GROUP...]|stop-apiserver|start-apiserver" ;;
  esac
}

main "$@"
