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
$dll = Join-Path $root 'src/UploadConformance.Cli/bin/Release/net10.0/uc.dll'
if (-not (Test-Path $dll)) {
    [Console]::Error.WriteLine('run.ps1: building the CLI once (about 20 s on 2 cores; later runs rebuild only what changed)')
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
if ($IsWindows) {
    & dotnet $dll @args
    exit $LASTEXITCODE
}
# On Linux and macOS the tool replaces this process (execvp), as run.sh's exec does: SIGTERM from
# docker stop, systemd or CI cancellation is sent to the process they started, and PowerShell would
# not pass it on to a child. The few lines calling libc are compiled once and kept beside the build.
$native = Join-Path $root 'src/UploadConformance.Cli/obj/run-ps1-exec.dll'
if (-not (Test-Path $native)) {
    Add-Type -Namespace UploadConformance.RunScript -Name Native -OutputAssembly $native -MemberDefinition @'
[System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
public static extern int execvp(string file, string[] argv);
'@
}
Add-Type -Path $native
# argv as C wants it: the program, its arguments, then a null (left unset: PowerShell turns a $null
# element of a string array into '').
$argv = [string[]]::new($args.Count + 3)
$argv[0] = 'dotnet'
$argv[1] = $dll
for ($i = 0; $i -lt $args.Count; $i++) { $argv[$i + 2] = [string]$args[$i] }
[void][UploadConformance.RunScript.Native]::execvp('dotnet', $argv)
[Console]::Error.WriteLine("run.ps1: cannot start dotnet (errno $([System.Runtime.InteropServices.Marshal]::GetLastWin32Error()))")
exit 2
