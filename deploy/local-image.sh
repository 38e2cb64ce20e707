#!/usr/bin/env bash
# Makes the uc image without pulling anything: the same self-contained publish as the Containerfile,
# plus the few shared libraries it links (glibc, libstdc++, OpenSSL), taken from this machine, as a
# root file system that `podman import` turns into an image.
#
#   deploy/local-image.sh [image-ref]          (default localhost/uploadconformance:local)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image="${1:-localhost/uploadconformance:local}"
work="$(mktemp -d -t uc-image.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs/app" "$rootfs/tmp" "$rootfs/etc" "$rootfs/results" "$rootfs/config"
chmod 1777 "$rootfs/tmp"
dotnet publish "$root/src/UploadConformance.Cli" -c Release -r linux-x64 --self-contained \
  -p:InvariantGlobalization=true -o "$rootfs/app" -nologo -v quiet >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log" >&2; exit 1; }
# Every library the apphost and the native parts link, and OpenSSL, which .NET opens at run time.
libs=$( (cd "$rootfs/app" && for f in uc *.so; do ldd "$f" 2>/dev/null; done) \
  | awk '/=> \// {print $3} /^[ \t]*\/lib64\// {print $1}' | sort -u)
for lib in $libs /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
echo "root:x:0:0:root:/root:/sbin/nologin" >"$rootfs/etc/passwd"
echo "root:x:0:" >"$rootfs/etc/group"
tar -C "$rootfs" -cf "$work/rootfs.tar" .
podman import \
  --change 'ENTRYPOINT ["/app/uc"]' \
  --change 'ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1' \
  --change 'ENV UPLOADCONFORMANCE_CACHE=/tmp/uc-cache' \
  "$work/rootfs.tar" "$image" >/dev/null
echo "$image"
