// H.264 recordings for the analysis benchmark, made with the ffmpeg command-line tool from the
// shared face clips: four 30 fps one-face clips scaled to 480 lines, padded to 640x480 and
// concatenated (64 s), then looped without re-encoding to the length asked for.
#pragma once

#include <filesystem>
#include <string>

namespace emotrace::bench {

// Returns work/recording-<seconds>s.mp4, made once and reused. Throws Error with the ffmpeg
// command that failed.
std::filesystem::path makeRecording(const std::filesystem::path& data,
                                    const std::filesystem::path& work, double seconds);

// How the recordings are made, for the benchmark's report.
std::string recordingRecipe();

}  // namespace emotrace::bench
