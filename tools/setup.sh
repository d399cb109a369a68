#!/usr/bin/env bash
# Sets up emotrace on a fresh Debian 12 machine and runs it. The README's two commands:
#   tools/setup.sh demo   install packages, build, start the dashboard on a demo video
#   tools/setup.sh test   install packages, build (warnings as errors), run the tests, then
#                         build and run them again under AddressSanitizer + UBSan, and the
#                         threading tests under ThreadSanitizer
# Other verbs: build (install + build only), deps (install only).
# Environment: EMOTRACE_DATA (default ../shared/data), BUILD_DIR (default build), JOBS;
# CI=true makes missing shared data (tools/check-data.sh) and skipped prerequisites failures.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
verb=${1:-build}
shift || true
data=${EMOTRACE_DATA:-$root/../shared/data}
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-pthread          # OpenBLAS: the reference BLAS makes torch 5x slower
  libopencv-dev opencv-data                  # opencv-data: the paper's Haar cascade
  libavformat-dev libavcodec-dev libavutil-dev  # a video's rotation, frame times, diagnosis
  libxcb1-dev libxcb-composite0-dev          # capturing a video call's window (X11)
  libpipewire-0.3-dev libsystemd-dev         # ... and on Wayland: the screen-cast portal
  sway swaybg xdg-desktop-portal xdg-desktop-portal-wlr pipewire pipewire-bin wireplumber
                                             # a headless Wayland desktop for the portal test
  qt6-base-dev libqcustomplot-dev libqcustomplot2.1-qt6
  nlohmann-json3-dev libsqlite3-dev libssl-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  ffmpeg xvfb xauth clang-format xdotool     # xdotool: the window-picking test clicks as a mouse would
  poppler-utils fonts-dejavu-core           # pdftotext: the report tests read the PDF text back
  python3-torch python3-torchvision          # the PyTorch baseline the benchmark compares against
)

install_deps() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

configure() {  # dir, extra cmake args...
  local dir=$1
  shift
  export CCACHE_BASEDIR="$root"  # lets a fresh clone reuse ccache entries of another checkout
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DEMOTRACE_TEST_DATA="$data" "$@"
}

configure_and_build() {  # dir, extra cmake args...
  configure "$@"
  cmake --build "$1" -j "$jobs"
}

run_tests() {  # dir, extra ctest args...
  # Torch and OpenCV each start a thread pool per process; two cores are shared by ctest's jobs.
  local dir=$1
  shift
  ctest --test-dir "$dir" --output-on-failure -j 2 --timeout 600 "$@"
}

case "$verb" in
  deps) install_deps ;;
  build)
    install_deps
    configure_and_build "$build"
    ;;
  test)
    # Under CI the data-backed tests must run, not skip: a missing or changed data file stops
    # the run here, naming the file, and a test that would skip for want of what this script
    # installs fails (tests/support/test_support.h, prerequisitesRequired).
    if ! tools/check-data.sh "$data"; then
      if [ "${CI:-}" = true ]; then
        echo "CI needs the complete shared data (see ../shared/data/README.md): stopping." >&2
        exit 1
      fi
      echo "warning: the tests that need the missing data will be skipped" >&2
    fi
    install_deps
    configure_and_build "$build" -DEMOTRACE_WERROR=ON
    run_tests "$build"
    # Sanitizers: the OpenCV-only and torch unit tests (Qt's and torch's own libraries are
    # not instrumented; leaks inside them are suppressed, never ours).
    configure "$build-asan" -DEMOTRACE_WERROR=ON -DEMOTRACE_SANITIZE=ON \
      -DEMOTRACE_BUILD_UI=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
    cmake --build "$build-asan" -j "$jobs" --target emotrace_core_tests emotrace_torch_tests
    ASAN_OPTIONS=detect_odr_violation=0:alloc_dealloc_mismatch=0 \
      LSAN_OPTIONS=suppressions=$root/tools/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 \
      run_tests "$build-asan" -E '_NOT_BUILT$'  # the test executables not built here
    # ThreadSanitizer on the threading units of core: the latest-frame slot and the paced video
    # source (the pipeline's threads run through both), the recording analysis and the live
    # session writer (the tests that do not fork), and the desktop portal's screen cast (its
    # PipeWire thread hands pictures to the capture thread). Suppressions cover ffmpeg/GDAL only.
    configure "$build-tsan" -DEMOTRACE_WERROR=ON -DEMOTRACE_TSAN=ON -DEMOTRACE_BUILD_UI=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo
    cmake --build "$build-tsan" -j "$jobs" --target emotrace_core_tests
    TSAN_OPTIONS="suppressions=$root/tools/tsan.supp halt_on_error=1" \
      run_tests "$build-tsan" \
      -R '^(LatestFrameSlot|VideoFileSource|RecordingAnalysisThreads|ScreenCastPortal)\.|^LiveSessionWriter\.(Keeps|Readings|AMarkers|Records|AnEncoder)'
    ;;
  demo)
    install_deps
    configure_and_build "$build"
    video=${1:-$data/videos/liveportrait_d3.mp4}
    shift || true
    args=(--source "$video" --loop)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      echo "No display found: starting under xvfb-run (nothing will be visible)." >&2
      exec xvfb-run -a "$build/app/emotrace" "${args[@]}" "$@"
    fi
    exec "$build/app/emotrace" "${args[@]}" "$@"
    ;;
  *)
    echo "usage: tools/setup.sh demo|test|build|deps" >&2
    exit 2
    ;;
esac
