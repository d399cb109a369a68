#!/usr/bin/env bash
# Two builds of emotrace-bench measured alternately on the same machine, so a change that should
# not move the figures (a refactor) is checked against its parent in the same conditions.
#
#   tools/ab-bench.sh OLD_BENCH NEW_BENCH [DATA]
#
# OLD_BENCH/NEW_BENCH: emotrace-bench binaries (build the old commit in a scratch clone with the
# same CMake flags). Per round the pipeline runs old-new-new-old (1 and 4 faces, 20 s each), then
# the classifier old-new and new-old (--no-python --runs 30). Prints the markdown table rows.
set -euo pipefail
old=$1
new=$2
data=${3:-$(dirname "$0")/../../shared/data}
run() {  # who, arguments...
    local who=$1
    shift
    local bin=$old
    [[ $who == new ]] && bin=$new
    "$bin" "$@" --work-dir "/tmp/ab-bench-$who" --data "$data" 2>/dev/null | grep -E '^\| [0-9]'
}
for round in 1 2; do
    for who in old new new old; do
        for faces in 1 4; do
            echo "== round $round $who pipeline faces $faces"
            run "$who" pipeline --faces "$faces" --seconds 20
        done
    done
done
for who in old new new old; do
    echo "== $who classifier"
    run "$who" classifier --no-python --runs 30
done
