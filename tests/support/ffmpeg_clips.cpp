#include "ffmpeg_clips.h"

#include <cstdio>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "test_support.h"

namespace emotrace::test {
std::string commandOutput(const std::string& command) {
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return output;
    char buffer[4096];
    while (const std::size_t count = std::fread(buffer, 1, sizeof buffer, pipe))
        output.append(buffer, count);
    ::pclose(pipe);
    return output;
}

bool runFfmpeg(const std::string& arguments) {
    return runQuietly("ffmpeg -nostdin -v error -y " + arguments);
}

std::filesystem::path makeUprightClip(const std::filesystem::path& folder, int frames) {
    const auto path = folder / "upright.mp4";
    const std::string source =
        "color=black:s=160x120:r=30,drawbox=x=0:y=0:w=40:h=30:color=white:t=fill";
    runFfmpeg("-f lavfi -i " + shellQuoted(source) + " -frames:v " + std::to_string(frames) +
              " -c:v libx264 -pix_fmt yuv420p " + shellQuoted(path.string()));
    return path;
}

std::filesystem::path makeRotatedClip(const std::filesystem::path& folder, int rotation) {
    const auto upright = makeUprightClip(folder);
    const auto turned = folder / ("turned" + std::to_string(rotation) + ".mp4");
    const auto tagged = folder / ("rotate" + std::to_string(rotation) + ".mp4");
    // transpose=1 turns clockwise; ffmpeg's players undo it for rotate=90 (checked in
    // test_video_reader.cpp against ffmpeg's own rendering).
    const std::string filter = rotation == 90    ? "transpose=1"
                               : rotation == 270 ? "transpose=2"
                                                 : "hflip,vflip";
    runFfmpeg("-i " + shellQuoted(upright.string()) + " -vf " + filter + " -c:v libx264 " +
              shellQuoted(turned.string()));
    runFfmpeg("-i " + shellQuoted(turned.string()) + " -c copy -metadata:s:v:0 rotate=" +
              std::to_string(rotation) + " " + shellQuoted(tagged.string()));
    return tagged;
}

bool boxInTopLeft(const cv::Mat& image) {
    if (image.empty())
        return false;
    cv::Mat grey;
    cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
    const int w = grey.cols / 2;
    const int h = grey.rows / 2;
    const double top_left = cv::mean(grey(cv::Rect(0, 0, w, h)))[0];
    const double others = cv::mean(grey(cv::Rect(w, 0, w, h)))[0] +
                          cv::mean(grey(cv::Rect(0, h, w, h)))[0] +
                          cv::mean(grey(cv::Rect(w, h, w, h)))[0];
    return top_left > 40.0 && others < 10.0;
}

std::filesystem::path makeVariableRateClip(const std::filesystem::path& folder) {
    const auto path = folder / "vfr.mp4";
    runFfmpeg("-f lavfi -i testsrc2=size=160x120:rate=30 -t 4 -vf " +
              shellQuoted("select='lt(n,30)+not(mod(n,6))'") +
              " -fps_mode vfr -c:v libx264 -pix_fmt yuv420p " + shellQuoted(path.string()));
    return path;
}

std::vector<double> ffprobeFrameTimes(const std::filesystem::path& clip) {
    const std::string start_text = commandOutput(
        "ffprobe -v error -select_streams v:0 -show_entries stream=start_time "
        "-of csv=p=0 " +
        shellQuoted(clip.string()));
    const double start = start_text.empty() ? 0.0 : std::stod(start_text);
    std::istringstream lines(commandOutput(
        "ffprobe -v error -select_streams v:0 -show_entries frame=best_effort_timestamp_time "
        "-of csv=p=0 " +
        shellQuoted(clip.string())));
    std::vector<double> times;
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty())
            times.push_back((std::stod(line) - start) * 1000.0);
    }
    return times;
}

}  // namespace emotrace::test
