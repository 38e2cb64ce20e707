#!/usr/bin/env bash
# Regenerates the case × stack matrix in docs/stacks.md from real runs: the stack tests start each
# server on loopback and run `conform` through the CLI with the stack's profile (UC_STACK_RESULTS
# keeps the run folders), then the tool's own `report` compares the runs and its matrix.md replaces
# what stands between the generated markers. The hand-written explanations are left alone; the
# tests then say which non-pass verdict has none.
#
#   docs/stacks.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="$(mktemp -d -t uc-stacks.XXXXXX)"
trap 'rm -rf "$runs"' EXIT
stacks=(php-defaults php-raised tomcat aspnetcore multer nginx)

UC_STACK_RESULTS="$runs" dotnet test "$root/UploadConformance.sln" -nologo -v quiet \
  --filter "FullyQualifiedName~StackTests&FullyQualifiedName~The_catalog_grades_the_stack" >&2
for stack in "${stacks[@]}"; do
  [ -f "$runs/$stack/results.json" ] || { echo "stacks.sh: no run for $stack" >&2; exit 1; }
done
(cd "$runs" && "$root/run.sh" report "${stacks[@]}" --out "$runs/compare" >/dev/null)
python3 - "$root/docs/stacks.md" "$runs/compare/matrix.md" <<'PY'
import sys
doc_path, matrix_path = sys.argv[1], sys.argv[2]
doc, matrix = open(doc_path, encoding='utf-8').read(), open(matrix_path, encoding='utf-8').read()
begin, end = '<!-- generated: begin -->', '<!-- generated: end -->'
head, rest = doc.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc_path, 'w', encoding='utf-8').write(f'{head}{begin}\n{matrix}{end}{tail}')
PY
echo "docs/stacks.md: matrix regenerated from ${#stacks[@]} runs"
