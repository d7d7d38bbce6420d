#!/usr/bin/env bash
# scripts/update-compiled-model.sh — regenerates the API's compiled EF Core model after a model change.
#
# The compiled model (src/Compliance.Api/Persistence/CompiledModel) saves EF Core building the model from
# OnModelCreating at every start (~0.1 s of the API's cold start, docs/api-hardening.md). ./test.sh fails when it
# differs from what this script generates. Run it after `dotnet ef migrations add`, then commit both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet tool restore >/dev/null
rm -rf src/Compliance.Api/Persistence/CompiledModel
dotnet ef dbcontext optimize --project src/Compliance.Api --configuration Release \
  --output-dir Persistence/CompiledModel --namespace Compliance.Api.Persistence.CompiledModel
