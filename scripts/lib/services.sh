# shellcheck shell=bash
# Shared by ./run.sh and ./test.sh: checks the .NET SDK, installs missing OS packages, picks free ports, and
# starts/stops a private Postgres cluster and Redis server from the OS packages, all under the repository.
# Sourced, never executed; callers use `set -euo pipefail`. Progress goes to stderr so functions can return values
# on stdout.

COMPLIANCE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a command as root: directly when we are root, else through sudo (which may ask for a password).
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "root is needed to run '$*'; run it yourself (or install sudo) and try again"
  fi
}

# A random token for development secrets: 32 bytes of /dev/urandom as hex (safe in URLs and env files).
random_hex() {
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

# --- .NET SDK -------------------------------------------------------------------------------------------------

ensure_dotnet_sdk() {
  if ! command -v dotnet >/dev/null 2>&1; then
    die "the .NET 10 SDK is not installed (no 'dotnet' on PATH).
  Install it from https://learn.microsoft.com/dotnet/core/install/linux (Debian/Ubuntu packages), or with
  'curl -sSL https://dot.net/v1/dotnet-install.sh | bash -s -- --channel 10.0' and add ~/.dotnet to PATH."
  fi
  if ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    die "the .NET 10 SDK is required (global.json); installed SDKs: $(dotnet --list-sdks 2>/dev/null | cut -d' ' -f1 | tr '\n' ' ')"
  fi
}

# --- OS packages ----------------------------------------------------------------------------------------------

# Newest installed Postgres bin dir (Debian layout), or COMPLIANCE_PG_BIN when the user points elsewhere.
pg_bin_dir() {
  if [ -n "${COMPLIANCE_PG_BIN:-}" ] && [ -x "${COMPLIANCE_PG_BIN}/initdb" ]; then
    printf '%s\n' "$COMPLIANCE_PG_BIN"
    return 0
  fi
  local dir newest=""
  for dir in /usr/lib/postgresql/*/bin; do
    if [ ! -x "$dir/initdb" ] || [ ! -x "$dir/pg_ctl" ]; then continue; fi
    newest="$(printf '%s\n%s\n' "$newest" "$dir" | sed '/^$/d' | sort -V | tail -n 1)"
  done
  [ -n "$newest" ] || return 1
  printf '%s\n' "$newest"
}

# Whether the capability a Debian package provides is already there (checked by what we use, so a Postgres from
# another source counts).
os_package_present() {
  case "$1" in
    postgresql) pg_bin_dir >/dev/null 2>&1 ;;
    redis-server) command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 ;;
    # The test-model generator runs Debian's interpreter; another python3 on PATH does not help it.
    python3-onnx) [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import onnx' >/dev/null 2>&1 ;;
    python3-numpy) [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 ;;
    *) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' ;;
  esac
}

# Installs, with apt-get, those of the named Debian packages whose capability is missing; nothing when all exist.
ensure_os_packages() {
  local pkg missing=()
  for pkg in "$@"; do
    os_package_present "$pkg" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0

  command -v apt-get >/dev/null 2>&1 ||
    die "missing: ${missing[*]}. This script installs them with apt-get (Debian/Ubuntu); install them another way and re-run."
  say "installing missing OS packages: ${missing[*]}"
  # A fresh machine may have empty package lists: refresh once and retry instead of failing.
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
    say "apt-get install failed; refreshing package lists and retrying"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" ||
      die "could not install ${missing[*]} with apt-get"
  fi
  for pkg in "${missing[@]}"; do
    os_package_present "$pkg" || die "installed $pkg but still cannot find what it provides"
  done
}

# --- ports ----------------------------------------------------------------------------------------------------

# Prints a TCP port on 127.0.0.1 that is free right now. The OS picks it (bind to port 0); without Python we probe
# random high ports until one refuses a connection. Callers retry if a server loses the race for it.
free_port() {
  local py port _
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 &&
      "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null; then
      return 0
    fi
  done
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  die "could not find a free TCP port on 127.0.0.1"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_with_port_retry NAME LOG PREFERRED_PORT COMMAND...: runs `COMMAND... PORT` (which returns 0 once the server
# answers on PORT) on PREFERRED_PORT if it is free, else on a free port; another server can take a free port
# before ours binds it, so it tries five ports before giving up. Prints the port.
start_with_port_retry() {
  local name="$1" log="$2" port="$3" attempt
  shift 3
  for attempt in 1 2 3 4 5; do
    if [ -z "$port" ] || port_in_use "$port"; then port="$(free_port)"; fi
    if "$@" "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
    warn "$name did not start on port $port (attempt $attempt); retrying on another port"
    port=""
  done
  tail -n 20 "$log" >&2 2>/dev/null || true
  die "could not start $name; see $log"
}

# --- Postgres -------------------------------------------------------------------------------------------------
# A cluster lives in a "home" directory owned by the OS user that runs it: home/data (the cluster), home/server.log,
# and the Unix socket in home itself (mode 700, so local trust auth reaches only that user). Postgres refuses to
# run as root, so as root the cluster belongs to the `postgres` OS user.

pg_os_user() {
  if is_root; then printf 'postgres\n'; else id -un; fi
}

# Runs a Postgres tool as the cluster's owner (from /, which the `postgres` user can always enter).
pg_as_owner() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Creates (if needed) the cluster home for the link path $1 and prints its real path. Normally the home is $1
# itself; when the OS user `postgres` cannot reach $1 (a checkout under /root, say) the home goes to /var/tmp and
# $1 becomes a symlink to it, so `.local/` still shows where everything is.
pg_home_create() {
  local link="$1" home
  if [ -L "$link" ]; then
    home="$(readlink -f "$link")"
  else
    home="$link"
  fi
  if is_root; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' OS user (it comes with the postgresql package)"
    install -d -o postgres -g postgres -m 700 "$home"
    if ! runuser -u postgres -- test -w "$home"; then
      rmdir "$home" 2>/dev/null || true
      home="$(mktemp -d /var/tmp/compliance-postgres.XXXXXX)"
      chown postgres:postgres "$home"
      chmod 700 "$home"
      ln -sfn "$home" "$link"
    fi
  else
    install -d -m 700 "$home"
  fi
  printf '%s\n' "$home"
}

# Unix socket directory for a home: the home itself unless its path is too long for a socket name (~107 bytes).
pg_socket_dir() {
  local home="$1" dir
  if [ "${#home}" -lt 80 ]; then
    printf '%s\n' "$home"
    return 0
  fi
  dir="$(mktemp -d "${TMPDIR:-/tmp}/compliance-pg.XXXXXX")"
  if is_root; then chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  printf '%s\n' "$dir"
}

pg_is_running() {
  local home="$1" bin
  [ -f "$home/data/postmaster.pid" ] || return 1
  bin="$(pg_bin_dir)" || return 1
  pg_as_owner "$bin/pg_ctl" -D "$home/data" status >/dev/null 2>&1
}

# The port a running cluster listens on (line 4 of postmaster.pid).
pg_running_port() {
  sed -n '4p' "$1/data/postmaster.pid" 2>/dev/null
}

# The socket directory a running cluster uses (line 5 of postmaster.pid).
pg_running_socket_dir() {
  sed -n '5p' "$1/data/postmaster.pid" 2>/dev/null
}

# pg_init HOME AUTH... : initdb into HOME/data unless it already holds a cluster. Extra args go to initdb.
pg_init() {
  local home="$1" bin
  shift
  bin="$(pg_bin_dir)" || die "Postgres is not installed (no /usr/lib/postgresql/*/bin/initdb)"
  [ -f "$home/data/PG_VERSION" ] && return 0
  say "creating a Postgres cluster in $home/data"
  pg_as_owner "$bin/initdb" -D "$home/data" -U postgres -E UTF8 --locale=C "$@" >"$home/initdb.log" 2>&1 ||
    die "initdb failed; see $home/initdb.log"
}

# pg_start HOME PREFERRED_PORT [EXTRA_SETTINGS...]: starts the cluster on 127.0.0.1, on PREFERRED_PORT if it is free
# (empty: any), retrying other free ports if it loses a race. Prints the port.
pg_start() {
  local home="$1" port="${2:-}" opts
  shift 2
  opts="$*"
  start_with_port_retry Postgres "$home/server.log" "$port" pg_start_on_port "$home" "$(pg_socket_dir "$home")" "$opts"
}

# pg_start_on_port HOME SOCKET_DIR EXTRA_SETTINGS PORT: one start attempt; pg_ctl -w returns once it accepts
# connections, or fails if the postmaster exits (port taken).
pg_start_on_port() {
  local home="$1" sock="$2" extra="$3" port="$4" bin
  bin="$(pg_bin_dir)" || die "Postgres is not installed"
  pg_as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k '$sock' $extra" start >/dev/null 2>&1
}

# pg_stop HOME [MODE]: stops the cluster if it runs (MODE: fast keeps data consistent; immediate is for scratch).
pg_stop() {
  local home="$1" mode="${2:-fast}" bin sock
  pg_is_running "$home" || return 0
  bin="$(pg_bin_dir)" || return 0
  sock="$(pg_running_socket_dir "$home")"
  pg_as_owner "$bin/pg_ctl" -D "$home/data" -m "$mode" -w stop >/dev/null 2>&1 ||
    warn "could not stop the Postgres cluster in $home"
  # A socket directory made outside the home for a long path is ours to remove.
  case "$sock" in
    "${TMPDIR:-/tmp}"/compliance-pg.*) rm -rf "$sock" ;;
  esac
}

# pg_psql HOME [psql args...]: runs psql as superuser over the cluster's Unix socket (local trust).
pg_psql() {
  local home="$1" bin
  shift
  bin="$(pg_bin_dir)"
  pg_as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$(pg_running_socket_dir "$home")" \
    -p "$(pg_running_port "$home")" -U postgres "$@"
}

# --- Redis ----------------------------------------------------------------------------------------------------

redis_ping() {
  [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = "PONG" ]
}

redis_is_running() {
  local dir="$1" pid
  [ -f "$dir/redis.pid" ] || return 1
  pid="$(cat "$dir/redis.pid")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ -f "$dir/redis.port" ] && redis_ping "$(cat "$dir/redis.port")"
}

# redis_start DIR PREFERRED_PORT PERSIST(yes|no): starts a daemonized redis-server bound to 127.0.0.1 with its files
# in DIR, on PREFERRED_PORT if free (empty: any); prints the port.
redis_start() {
  local dir="$1" port="${2:-}" persist="${3:-no}"
  mkdir -p "$dir"
  start_with_port_retry Redis "$dir/redis.log" "$port" redis_start_on_port "$dir" "$persist"
}

# redis_start_on_port DIR PERSIST PORT: one start attempt. Daemonizing hides bind errors from the exit code, so
# success is a PONG on the port within five seconds.
redis_start_on_port() {
  local dir="$1" persist="$2" port="$3" _ args
  args=(--port "$port" --bind 127.0.0.1 --protected-mode yes --dir "$dir" --daemonize yes
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log")
  if [ "$persist" = yes ]; then
    args+=(--appendonly yes)
  else
    args+=(--save '' --appendonly no)
  fi
  rm -f "$dir/redis.pid"
  if redis-server "${args[@]}" >/dev/null 2>&1; then
    for _ in $(seq 1 50); do
      if redis_ping "$port"; then
        printf '%s\n' "$port" >"$dir/redis.port"
        return 0
      fi
      sleep 0.1
    done
  fi
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  return 1
}

# redis_stop DIR [save|nosave]: shuts the server down (saving first for the dev server) and waits for it to exit.
redis_stop() {
  local dir="$1" save="${2:-save}" pid _
  [ -f "$dir/redis.pid" ] || return 0
  pid="$(cat "$dir/redis.pid")"
  if [ -f "$dir/redis.port" ]; then
    redis-cli -h 127.0.0.1 -p "$(cat "$dir/redis.port")" shutdown "$save" >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/redis.pid"
}

# --- environment files ----------------------------------------------------------------------------------------

# Exports KEY=VALUE lines from a file (`export ` prefix, comments, blank lines and one level of quotes allowed)
# without overriding variables that are already set to a non-empty value (empty counts as unset, as it does for
# the API). Parsed, never sourced: a .env must not run code.
load_env_file() {
  local file="$1" line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%$'\r'}"
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line#export }"
    if [[ ! "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
      warn "$file: ignoring a line that is not KEY=VALUE"
      continue
    fi
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    if [[ "$value" =~ ^\"(.*)\"[[:space:]]*$ ]] || [[ "$value" =~ ^\'(.*)\'[[:space:]]*$ ]]; then
      value="${BASH_REMATCH[1]}"
    else
      # Unquoted: drop a trailing " # comment" and surrounding blanks.
      value="${value%%[[:space:]]#*}"
      value="${value%"${value##*[![:space:]]}"}"
    fi
    [ -n "${!key:-}" ] && continue
    export "$key=$value"
  done <"$file"
}
