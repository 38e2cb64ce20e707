#!/usr/bin/env bash
# UploadConformance: builds the CLI (incrementally, quietly) and runs it with your arguments.
# ./run.sh            the smoke suite against the embedded reference server
# ./run.sh --help     verbs, options and exit codes
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "run.sh: the .NET 10 SDK is needed and 'dotnet' is not on PATH" >&2
  exit 2
fi
dll="$root/src/UploadConformance.Cli/bin/Release/net10.0/uc.dll"
[ -f "$dll" ] || echo "run.sh: building the CLI once (about 20 s on 2 cores; later runs rebuild only what changed)" >&2
log="$(mktemp -t uc-build.XXXXXX)"
# To a file, not a pipe, and with no build servers left behind: a lingering MSBuild node or
# compiler server would otherwise hold a caller's pipe open long after this script ended.
if ! dotnet build "$root/src/UploadConformance.Cli/UploadConformance.Cli.csproj" -c Release -nologo -v quiet \
     -nodeReuse:false -p:UseSharedCompilation=false >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "run.sh: build failed" >&2
  exit 2
fi
rm -f "$log"
export UPLOADCONFORMANCE_REPORTS="${UPLOADCONFORMANCE_REPORTS:-$root/reports}"
# exec: the tool becomes this process, so SIGTERM from docker stop, systemd or CI cancellation (sent
# to the process they started) reaches it, and its exit code is this script's.
exec dotnet "$dll" "$@"
