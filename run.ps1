#!/usr/bin/env pwsh
# UploadConformance: builds the CLI (incrementally, quietly) and runs it with your arguments.
# ./run.ps1            the smoke suite against the embedded reference server
# ./run.ps1 --help     verbs, options and exit codes (the same as run.sh)
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine("run.ps1: the .NET 10 SDK is needed and 'dotnet' is not on PATH")
    exit 2
}
# No build servers left behind: a lingering MSBuild node or compiler server would hold a
# caller's pipe open long after this script ended.
$log = & dotnet build (Join-Path $root 'src/UploadConformance.Cli/UploadConformance.Cli.csproj') -c Release -nologo -v quiet `
    -nodeReuse:false -p:UseSharedCompilation=false 2>&1
if ($LASTEXITCODE -ne 0) {
    $log | ForEach-Object { [Console]::Error.WriteLine($_) }
    [Console]::Error.WriteLine('run.ps1: build failed')
    exit 2
}
if (-not $env:UPLOADCONFORMANCE_REPORTS) { $env:UPLOADCONFORMANCE_REPORTS = Join-Path $root 'reports' }
& dotnet (Join-Path $root 'src/UploadConformance.Cli/bin/Release/net10.0/uc.dll') @args
exit $LASTEXITCODE
