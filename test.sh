#!/usr/bin/env bash
# The test command: starts what the tests need (Docker engine, test images), then runs every test.
set -euo pipefail
cd "$(dirname "$0")"
scripts/test-services.sh
dotnet test Primeway.PowerShell.sln --nologo "$@"
