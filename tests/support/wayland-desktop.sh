#!/usr/bin/env bash
# A private headless Wayland desktop for the screen-cast portal test: its own D-Bus session bus,
# PipeWire with WirePlumber, sway on a headless output (software rendering), and the desktop
# portal with its wlroots back end. Nothing of the user's own session is touched.
#
#   wayland-desktop.sh DIR BACKGROUND.png CHOOSER [FAKE_BACK_END]
#
# DIR: an empty folder the desktop lives in (its runtime dir, configs and logs). BACKGROUND: what
# the headless screen shows. CHOOSER: "none" (the portal shares the screen without asking, as if
# the user had chosen it), "refuse" (the user's choice is cancelled), "wait" (the user takes
# their time: no answer for a minute), "no-portal" (only the bus, no desktop at all), or "fake":
# no compositor, and FAKE_BACK_END (tests/support/fake_screencast_backend.cpp) as the portal's
# screen-cast back end, granting at once and streaming BACKGROUND; xdg-desktop-portal-wlr 0.7
# cannot share a screen on a machine without a GPU (it needs DMA-BUF buffers). When the portal answers,
# the bus address is written to DIR/bus and the script waits until it is killed (SIGTERM), then
# stops everything it started. Exit 77: a program the desktop needs is missing.
set -uo pipefail
dir=$1 background=$2 chooser=$3 fake_back_end=${4:-}
needed=(dbus-daemon dbus-send pipewire wireplumber /usr/libexec/xdg-desktop-portal)
[ "$chooser" = fake ] || needed+=(sway swaybg /usr/libexec/xdg-desktop-portal-wlr)
for program in "${needed[@]}"; do
  command -v "$program" > /dev/null || { echo "missing: $program" >&2; exit 77; }
done

mkdir -p "$dir/run" "$dir/config/xdg-desktop-portal-wlr" "$dir/config/sway"
chmod 700 "$dir/run"
export XDG_RUNTIME_DIR=$dir/run XDG_CONFIG_HOME=$dir/config XDG_CURRENT_DESKTOP=sway
unset DISPLAY WAYLAND_DISPLAY
pids=()
stop() {
  trap '' TERM INT
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2> /dev/null; done
  wait 2> /dev/null
  # What those started in turn (a portal chooser still waiting), when the test made this script
  # the leader of its own process group.
  [ "$(ps -o pgid= $$ | tr -d ' ')" = "$$" ] && kill -- -$$ 2> /dev/null
  exit 0
}
trap stop TERM INT

# Only this folder's services: the test's bus must not start the user's own portal back ends.
mkdir -p "$dir/services"
cat > "$dir/bus.conf" << CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/run/bus</listen>
  <servicedir>$dir/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file="$dir/bus.conf" --nofork --nopidfile > "$dir/dbus.log" 2>&1 &
pids+=($!)
export DBUS_SESSION_BUS_ADDRESS=unix:path=$dir/run/bus
for _ in $(seq 50); do [ -S "$dir/run/bus" ] && break; sleep 0.1; done
if [ "$chooser" = no-portal ]; then
  echo "$DBUS_SESSION_BUS_ADDRESS" > "$dir/bus"
  while true; do sleep 1 & wait $!; done
fi

pipewire > "$dir/pipewire.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$dir/run/pipewire-0" ] && break; sleep 0.1; done
wireplumber > "$dir/wireplumber.log" 2>&1 &
pids+=($!)

back_end=org.freedesktop.impl.portal.desktop.wlr
if [ "$chooser" = fake ]; then
  back_end=org.freedesktop.impl.portal.desktop.emotracetest
  mkdir -p "$dir/portals"
  printf '[portal]\nDBusName=%s\nInterfaces=org.freedesktop.impl.portal.ScreenCast;\nUseIn=emotracetest;\n' \
    "$back_end" > "$dir/portals/emotracetest.portal"
  export XDG_CURRENT_DESKTOP=emotracetest XDG_DESKTOP_PORTAL_DIR=$dir/portals
  "$fake_back_end" "$background" > "$dir/backend.log" 2>&1 &
  pids+=($!)
else
  printf 'output HEADLESS-1 resolution 1280x720 bg %s fill\n' "$background" \
    > "$dir/config/sway/config"
  # sway refuses to run as root (CI runs as root): there it runs as nobody, in a runtime folder
  # of its own; the other programs reach its socket by its full path.
  sway_run=$dir/run
  as_user=()
  if [ "$(id -u)" -eq 0 ]; then
    sway_run=$dir/sway-run
    mkdir -p "$sway_run"
    chown nobody:nogroup "$sway_run" "$dir/config/sway"
    chmod 700 "$sway_run"
    chmod a+rx "$dir" "$dir/config"
    chmod a+r "$background" "$dir/config/sway/config"
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  fi
  XDG_RUNTIME_DIR=$sway_run WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman \
    "${as_user[@]}" sway -c "$dir/config/sway/config" > "$dir/sway.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    socket=$(cd "$sway_run" && ls wayland-* 2> /dev/null | grep -v lock | head -1)
    [ -n "$socket" ] && break
    sleep 0.1
  done
  [ -n "${socket:-}" ] || { echo "sway did not start: $(tail -5 "$dir/sway.log")" >&2; stop; }
  export WAYLAND_DISPLAY=$sway_run/$socket

  if [ "$chooser" = refuse ]; then
    # The chooser exits without a choice: what a user's Cancel is to the portal.
    printf '[screencast]\nchooser_type=simple\nchooser_cmd=false\n' \
      > "$dir/config/xdg-desktop-portal-wlr/config"
  elif [ "$chooser" = wait ]; then
    printf '[screencast]\nchooser_type=simple\nchooser_cmd=sleep 60\n' \
      > "$dir/config/xdg-desktop-portal-wlr/config"
  else
    printf '[screencast]\nchooser_type=none\noutput_name=HEADLESS-1\nmax_fps=30\n' \
      > "$dir/config/xdg-desktop-portal-wlr/config"
  fi
  /usr/libexec/xdg-desktop-portal-wlr -l INFO > "$dir/xdpw.log" 2>&1 &
  pids+=($!)
fi
echo $! > "$dir/backend.pid"  # the test ends the sharing by stopping the back end

# The portal looks for its back ends when it starts: the back end must own its name by then.
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:$back_end 2> /dev/null |
    grep -q "boolean true" && break
  sleep 0.1
done
/usr/libexec/xdg-desktop-portal -r > "$dir/portal.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.portal.Desktop \
    /org/freedesktop/portal/desktop org.freedesktop.DBus.Properties.Get \
    string:org.freedesktop.portal.ScreenCast string:version > /dev/null 2>&1 && break
  sleep 0.1
done
echo "$DBUS_SESSION_BUS_ADDRESS" > "$dir/bus"
while true; do sleep 1 & wait $!; done
