#include "recording_clips.h"

#include <cmath>
#include <cstdlib>
#include <vector>

#include "emotrace/error.h"

namespace emotrace::bench {

namespace {

const std::vector<std::string> kSources = {"liveportrait_d3.mp4", "liveportrait_d9.mp4",
                                           "liveportrait_d10.mp4", "liveportrait_d14.mp4"};

std::string shellQuoted(const std::string& text) {
    std::string result = "'";
    for (char c : text)
        result += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return result + "'";
}

void runFfmpeg(const std::string& arguments, const std::filesystem::path& output) {
    const std::string command = "ffmpeg -v error -nostdin -y " + arguments;
    if (std::system(command.c_str()) != 0 || !std::filesystem::exists(output)) {
        std::filesystem::remove(output);
        throw Error("making the benchmark recording failed: " + command);
    }
}

std::filesystem::path baseRecording(const std::filesystem::path& data,
                                    const std::filesystem::path& work) {
    const auto base = work / "recording-base.mp4";
    if (std::filesystem::exists(base))
        return base;
    std::string inputs;
    std::string filter;
    std::string concat;
    for (std::size_t i = 0; i < kSources.size(); ++i) {
        const auto source = data / "videos" / kSources[i];
        if (!std::filesystem::exists(source))
            throw SourceError("benchmark source clip not found: " + source.string());
        inputs += "-i " + shellQuoted(source.string()) + " ";
        const std::string label = "v" + std::to_string(i);
        filter += "[" + std::to_string(i) +
                  ":v]scale=-2:480,pad=640:480:(ow-iw)/2:0,setsar=1,fps=30[" + label + "];";
        concat += "[" + label + "]";
    }
    filter += concat + "concat=n=" + std::to_string(kSources.size()) + ":v=1:a=0[v]";
    runFfmpeg(inputs + "-filter_complex " + shellQuoted(filter) +
                  " -map '[v]' -c:v libx264 -preset veryfast -crf 23 -g 60 -pix_fmt yuv420p " +
                  shellQuoted(base.string()),
              base);
    return base;
}

}  // namespace

std::filesystem::path makeRecording(const std::filesystem::path& data,
                                    const std::filesystem::path& work, double seconds) {
    std::filesystem::create_directories(work);
    const auto base = baseRecording(data, work);
    const auto path = work / ("recording-" + std::to_string(std::lround(seconds)) + "s.mp4");
    if (std::filesystem::exists(path))
        return path;
    runFfmpeg("-stream_loop -1 -i " + shellQuoted(base.string()) + " -t " +
                  std::to_string(std::lround(seconds)) + " -c copy " + shellQuoted(path.string()),
              path);
    return path;
}

std::string recordingRecipe() {
    std::string sources;
    for (const auto& source : kSources)
        sources += (sources.empty() ? "" : ", ") + source;
    return "H.264 (libx264 veryfast, CRF 23, GOP 60), 640x480, 30 fps, one face: " + sources +
           " scaled to 480 lines, padded to 640x480 and concatenated with ffmpeg (64 s), then "
           "looped with `ffmpeg -stream_loop -1 -t SECONDS -c copy`";
}

}  // namespace emotrace::bench
