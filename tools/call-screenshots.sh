#!/usr/bin/env bash
# The screenshots of docs/dashboard.md's "Capturing the call", taken as a therapist works:
#   call-window-picker.png   two player windows stand for the call and another application;
#                            the dashboard's call-window list is opened (the whole screen is
#                            taken, so the open list shows)
#   follow-client.png        a two-person gallery (two shared clips side by side, their tiles
#                            swapped halfway, made with ffmpeg): the client named and followed,
#                            the therapist's self-view left out; taken after the swap
#   two-timelines.png        the same clip with both people followed: a timeline each
#   portal-screencast.png    the "Shared window (desktop portal)" source, as on Wayland: the
#                            dashboard reads the gallery through xdg-desktop-portal and PipeWire
#                            (a private desktop of tests/support/wayland-desktop.sh whose
#                            stand-in back end shares a still of the gallery)
#
#   tools/call-screenshots.sh [BUILD_DIR]
#
# Needs Xvfb, ffmpeg/ffplay and xdotool. Faces are numbered in the order found: in the gallery
# clip the man (liveportrait_d9, left at first) is #0 and the woman (d14) #1.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
videos=${EMOTRACE_DATA:-../shared/data}/videos
emotrace="$build/app/emotrace"
for tool in Xvfb xdotool ffmpeg ffplay; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 2; }
done
[[ -x $emotrace ]] || { echo "$0: no $emotrace: build first" >&2; exit 2; }

work=$(mktemp -d)
display=:$((70 + RANDOM % 9))
Xvfb "$display" -screen 0 1920x1080x24 -nolisten tcp -noreset &
xvfb=$!
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
export DISPLAY=$display XDG_CONFIG_HOME=$work/config
sleep 1

# 1. The window picker.
ffplay -loglevel quiet -window_title "Clinic call - client C-017" -left 1110 -top 60 -x 800 \
    -y 450 -loop 0 "$videos/liveportrait_d18.mp4" &
ffplay -loglevel quiet -window_title "Team chat" -left 1300 -top 560 -x 480 -y 360 -loop 0 \
    "$videos/liveportrait_d20.mp4" &
sleep 2
# The dashboard as last left with the Call window source (3 in the settings), not yet started.
mkdir -p "$XDG_CONFIG_HOME/emotrace"
printf '[source]\nkind=3\nwindow=\n' > "$XDG_CONFIG_HOME/emotrace/emotrace.conf"
"$emotrace" --no-keep &
dashboard=$!
sleep 6
window=$(xdotool search --name '^emotrace$' | head -1)
# The call-window list sits in the first toolbar, right of the source kind.
xdotool mousemove --window "$window" 461 18 click 1
sleep 1.5
ffmpeg -loglevel error -y -f x11grab -video_size 1920x1080 -i "$display" -frames:v 1 \
    docs/screenshots/call-window-picker.png
kill "$dashboard"
wait "$dashboard" 2>/dev/null || true

# 2. Following the client in a two-person gallery whose tiles swap at 6 s.
tile="fps=30,scale=560:-2,setsar=1,pad=640:720:(ow-iw)/2:(oh-ih)/2:color=0x202020"
ffmpeg -loglevel error -y -i "$videos/liveportrait_d9.mp4" -i "$videos/liveportrait_d14.mp4" \
    -filter_complex "[0:v]$tile,trim=0:12,setpts=PTS-STARTPTS,split[a1][a2];\
[1:v]$tile,trim=0:12,setpts=PTS-STARTPTS,split[b1][b2];\
[a1]trim=0:6,setpts=PTS-STARTPTS[a1t];[b1]trim=0:6,setpts=PTS-STARTPTS[b1t];\
[a2]trim=6:12,setpts=PTS-STARTPTS[a2t];[b2]trim=6:12,setpts=PTS-STARTPTS[b2t];\
[a1t][b1t]hstack,setsar=1[s1];[b2t][a2t]hstack,setsar=1[s2];[s1][s2]concat=n=2:v=1[out]" \
    -map "[out]" -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p "$work/gallery.mp4"
"$emotrace" --source "$work/gallery.mp4" --store "$work/sessions.sqlite" \
    --person 1:client:follow --person 0:therapist:leave-out \
    --screenshot docs/screenshots/follow-client.png --quit-after 10
"$emotrace" --source "$work/gallery.mp4" --store "$work/sessions.sqlite" \
    --person 1:client:follow --person 0:therapist:follow \
    --screenshot docs/screenshots/two-timelines.png --quit-after 10

# 4. Through the desktop portal: a private bus, PipeWire and the portal, sharing a gallery still.
fake_back_end="$build/tests/emotrace_fake_screencast_backend"
if [[ -x $fake_back_end ]]; then
    ffmpeg -loglevel error -y -ss 3 -i "$work/gallery.mp4" -frames:v 1 -vf scale=1280:720 \
        "$work/shared.png"
    mkdir -p "$work/desktop"
    tests/support/wayland-desktop.sh "$work/desktop" "$work/shared.png" fake "$fake_back_end" &
    desktop=$!
    for _ in $(seq 100); do [[ -s $work/desktop/bus ]] && break; sleep 0.2; done
    DBUS_SESSION_BUS_ADDRESS=$(cat "$work/desktop/bus") "$emotrace" --source screencast \
        --store "$work/sessions.sqlite" --screenshot docs/screenshots/portal-screencast.png \
        --quit-after 8
    kill "$desktop"
    wait "$desktop" 2>/dev/null || true
fi
echo "written: docs/screenshots/call-window-picker.png follow-client.png two-timelines.png" \
    "portal-screencast.png"
