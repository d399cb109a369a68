#!/usr/bin/env bash
# The docs' screenshots of a kept live session, taken as a therapist makes one: the dashboard
# on a face video with recording on, markers added with the M key (xdotool types on the virtual
# display), then the review workspace on the kept session.
#
#   tools/live-session-screenshots.sh [BUILD_DIR] [VIDEO]
#
# Needs Xvfb and xdotool (apt install xvfb xdotool). Writes docs/screenshots/live-session.png
# and docs/screenshots/review-live-session.png; the session store is a temporary one.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
video=${2:-../shared/data/videos/liveportrait_d3.mp4}
emotrace="$build/app/emotrace"
for tool in Xvfb xdotool; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is needed (apt install xvfb xdotool)" >&2; exit 2; }
done
[[ -x $emotrace ]] || { echo "$0: no $emotrace: build first" >&2; exit 2; }
[[ -f $video ]] || { echo "$0: no video at $video" >&2; exit 2; }

work=$(mktemp -d)
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x1000x24 -nolisten tcp &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$work"' EXIT
export DISPLAY=$display
sleep 1

# Presses M on the dashboard, then types the label (empty: Esc leaves the marker unlabelled).
mark() {
    local window
    window=$(xdotool search --name '^emotrace$' | head -1)
    xdotool windowactivate --sync "$window" 2>/dev/null || xdotool windowfocus "$window"
    xdotool key --window "$window" m
    sleep 0.3
    if [[ -n $1 ]]; then
        xdotool type --delay 40 "$1"
        xdotool key Return
    else
        xdotool key Escape
    fi
}

# Mid-session when the screenshot is taken: the video loops.
"$emotrace" --source "$video" --loop --store "$work/sessions.sqlite" --record \
    --label "C-017 week 3" --screenshot docs/screenshots/live-session.png --quit-after 14 &
dashboard=$!
sleep 5
mark "tearful"
sleep 2.5
mark ""
sleep 2.5
mark "laughed"
wait "$dashboard"

"$emotrace" --review-session 1 --store "$work/sessions.sqlite" --review-at 7.5 \
    --screenshot docs/screenshots/review-live-session.png --quit-after 5
ls -l "$work/recordings"
echo "written: docs/screenshots/live-session.png docs/screenshots/review-live-session.png"
