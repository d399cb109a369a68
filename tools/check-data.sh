#!/usr/bin/env bash
# Checks that the shared data folder holds every file the tests and tools use, unchanged: each
# file of tools/shared-data.sha256 with its checksum. Names every file missing or different.
#   tools/check-data.sh [DIR]      DIR defaults to $EMOTRACE_DATA, else ../shared/data
# Exit status 0: complete; 1: a file missing or different; 2: DIR is not a folder.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${1:-${EMOTRACE_DATA:-$root/../shared/data}}
manifest=$root/tools/shared-data.sha256
if [ ! -d "$data" ]; then
  echo "shared data: expected a folder at $data, found nothing there" \
       "(../shared/data beside the checkout, or EMOTRACE_DATA)" >&2
  exit 2
fi
bad=0
while read -r sum file; do
  if [ ! -f "$data/$file" ]; then
    echo "shared data: $data/$file is missing" >&2
    bad=1
  elif [ "$(sha256sum < "$data/$file" | cut -d' ' -f1)" != "$sum" ]; then
    echo "shared data: $data/$file differs from the checked copy (sha256 expected $sum)" >&2
    bad=1
  fi
done < "$manifest"
[ "$bad" -eq 0 ] && echo "shared data: $(wc -l < "$manifest") files complete in $data"
exit "$bad"
