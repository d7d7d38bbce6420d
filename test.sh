#!/usr/bin/env bash
# ./test.sh [dotnet test args...] — runs the whole solution's tests against throwaway Postgres and Redis servers.
#
# Installs what is missing (OS packages, test models), starts a fresh Postgres cluster and Redis in
# .local/test-<pid>/ on free ports, runs `dotnet test Compliance.sln -c Release` with a TRX logger, always stops
# and removes the servers, and prints as its last line "N passed, N failed, N skipped". Exits non-zero if a test
# failed, a project did not build, a run aborted, or the EF model has changes without a migration (checked with
# `dotnet ef migrations has-pending-model-changes`). Extra arguments go to `dotnet test` (e.g. --filter ...).
# TRX files go to .local/test-results/ (or COMPLIANCE_TEST_RESULTS_DIR); it is emptied at the start of each run.
#
# Exports for the tests: COMPLIANCE_TEST_DATABASE_URL (superuser, Npgsql key=value form, `postgres` database),
# COMPLIANCE_TEST_REDIS_URL (redis://127.0.0.1:PORT), COMPLIANCE_PG_BIN (Postgres bin dir, to start extra
# clusters) and, when run as root, COMPLIANCE_PG_OS_USER=postgres (the OS user initdb/pg_ctl must run as).
# COMPLIANCE_TEST_REDISEARCH_URL, if you set it, reaches the tests unchanged (RediSearch tests run only then).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=scripts/lib/services.sh
. scripts/lib/services.sh

results_dir="${COMPLIANCE_TEST_RESULTS_DIR:-$COMPLIANCE_ROOT/.local/test-results}"
run_dir="$COMPLIANCE_ROOT/.local/test-$$"
pg_home=""

# Idempotent, and silent, so that nothing prints after the summary line.
stop_test_services() {
  [ -d "$run_dir" ] || return 0
  redis_stop "$run_dir/redis" nosave || true
  if [ -n "$pg_home" ]; then pg_stop "$pg_home" immediate || true; fi
  # The cluster home may be a symlink to /var/tmp (see pg_home_create): remove both.
  if [ -n "$pg_home" ] && [ "$pg_home" != "$run_dir/postgres" ]; then rm -rf "$pg_home"; fi
  rm -rf "$run_dir"
}
on_exit() {
  local status=$?
  trap - EXIT INT TERM
  stop_test_services
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_dotnet_sdk
# docker-compose: the deploy test validates docker-compose.yml with it (no Docker engine is needed).
ensure_os_packages postgresql redis-server python3-onnx python3-numpy docker-compose

say "starting a throwaway Postgres and Redis in ${run_dir#"$COMPLIANCE_ROOT"/}"
mkdir -p "$run_dir"
pg_home="$(pg_home_create "$run_dir/postgres")"
pg_init "$pg_home" --auth=trust --no-sync
# Durability is pointless for a cluster that is deleted in a minute; these make the tests' DDL much faster.
pg_port="$(pg_start "$pg_home" "" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200)"
redis_port="$(redis_start "$run_dir/redis" "" no)"

export COMPLIANCE_TEST_DATABASE_URL="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
export COMPLIANCE_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
COMPLIANCE_PG_BIN="$(pg_bin_dir)"
export COMPLIANCE_PG_BIN
if is_root; then export COMPLIANCE_PG_OS_USER=postgres; fi
say "Postgres on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
if [ -n "${COMPLIANCE_TEST_REDISEARCH_URL:-}" ]; then
  say "COMPLIANCE_TEST_REDISEARCH_URL is set: RediSearch tests will run"
else
  say "COMPLIANCE_TEST_REDISEARCH_URL is not set: RediSearch tests will skip"
fi

if [ -x scripts/generate-test-models.sh ]; then
  say "generating test models"
  scripts/generate-test-models.sh >&2 || die "scripts/generate-test-models.sh failed (see above)"
fi

# Old TRX files would be counted again: each run starts with an empty results directory.
rm -rf "$results_dir"
mkdir -p "$results_dir"

say "running: dotnet test Compliance.sln -c Release $*"
test_status=0
dotnet test Compliance.sln -c Release --logger trx --results-directory "$results_dir" "$@" || test_status=$?

# A model change without its migration fails the run, through the tool a developer fixes it with: this also keeps
# the tool manifest (.config/dotnet-tools.json) and the design-time context factory working. It compares the model
# with the snapshot in the API's build output; no database is involved.
say "checking for model changes without a migration: dotnet ef migrations has-pending-model-changes"
migrations_status=0
if [ -f src/Compliance.Api/bin/Release/net10.0/Compliance.Api.dll ]; then
  dotnet tool restore >&2 &&
    dotnet ef migrations has-pending-model-changes --project src/Compliance.Api --configuration Release --no-build >&2 ||
    migrations_status=$?
  # The compiled model (src/Compliance.Api/Persistence/CompiledModel, ~0.1 s off every start) must be what
  # `dotnet ef dbcontext optimize` makes of today's model; only its random model id differs between runs.
  compiled_model_check="$run_dir/compiled-model"
  if [ "$migrations_status" -eq 0 ]; then
    say "checking the compiled EF model is current: dotnet ef dbcontext optimize"
    dotnet ef dbcontext optimize --project src/Compliance.Api --configuration Release --no-build \
      --output-dir "$compiled_model_check" --namespace Compliance.Api.Persistence.CompiledModel >/dev/null &&
      diff -r -I 'modelId: new Guid' "$compiled_model_check" src/Compliance.Api/Persistence/CompiledModel >&2 ||
      { warn "the compiled EF model is out of date: run scripts/update-compiled-model.sh and commit the result"; migrations_status=1; }
  fi
else
  warn "the API did not build; the migrations check could not run"
  migrations_status=1
fi
say "stopping the test Postgres and Redis"
stop_test_services

# Every test project in the solution must leave a TRX file, or it did not build or its host died.
mapfile -t test_projects < <(grep -oE '"tests[\\/][^"]+\.Tests\.csproj"' Compliance.sln | sed -E 's#.*[\\/]([^\\/]+)\.csproj"#\1#')

python_bin="$(command -v python3 || echo /usr/bin/python3)"
echo
echo "Test results (TRX files in ${results_dir#"$COMPLIANCE_ROOT"/}):"
summary_status=0
"$python_bin" scripts/lib/trx_summary.py "$results_dir" --dotnet-exit-code "$test_status" \
  --expect "${test_projects[@]}" || summary_status=$?
# The summary counts a build error or aborted run as a failure; the exit code follows it and dotnet test.
if [ "$test_status" -ne 0 ] || [ "$summary_status" -ne 0 ] || [ "$migrations_status" -ne 0 ]; then
  exit 1
fi
