#include "emotrace/video_reader.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <utility>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
}

#include "emotrace/error.h"

namespace emotrace {

namespace {

namespace fs = std::filesystem;

struct FormatContextCloser {
    void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
using FormatContext = std::unique_ptr<AVFormatContext, FormatContextCloser>;

// A frame rate of 0, NaN or a codec's time base (1000 fps and up) means the file does not say.
bool plausibleFps(double fps) {
    return std::isfinite(fps) && fps > 0.0 && fps < 1000.0;
}

// Containers whose frame count is estimated from duration x rate (or that drop a trailing frame
// on decode) may report a few frames more than they hold; only a shortfall beyond this counts.
std::int64_t frameCountTolerance(std::int64_t frame_count) {
    return std::max<std::int64_t>(3, frame_count / 50);
}

std::string ffmpegError(int code) {
    std::array<char, AV_ERROR_MAX_STRING_SIZE> text{};
    av_strerror(code, text.data(), text.size());
    return text.data();
}

// The checks the file system can answer, each with its own message, before ffmpeg guesses.
void requireReadableFile(const fs::path& path) {
    std::error_code error;
    const auto status = fs::status(path, error);
    if (!fs::exists(status))
        throw SourceError("video file not found: " + path.string());
    if (fs::is_directory(status)) {
        throw SourceError(path.string() +
                          " is a folder, not a video file (give the path of a recording in it)");
    }
    if (::access(path.c_str(), R_OK) != 0) {
        const int reason = errno;
        throw SourceError("cannot read the video file " + path.string() + ": " +
                          std::strerror(reason) +
                          " (ask its owner for read permission, or copy it where you may read it)");
    }
    if (fs::is_regular_file(status) && fs::file_size(path, error) == 0)
        throw SourceError("the video file " + path.string() + " is empty (0 bytes)");
}

// MP4 and MOV files are a sequence of boxes, the first usually 'ftyp'. Recorders write the
// index ('moov') last, so a recording cut short has the boxes but no index.
bool looksLikeMp4(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::array<char, 8> head{};
    if (!in.read(head.data(), head.size()))
        return false;
    const std::string type(head.data() + 4, 4);
    return type == "ftyp" || type == "mdat" || type == "wide" || type == "free" || type == "moov";
}

std::string unopenableMessage(const fs::path& path, int code) {
    if (looksLikeMp4(path)) {
        return "the video file " + path.string() +
               " is an MP4/MOV recording without its index (the 'moov' box): it was cut short "
               "before the recording program finished it (killed, crashed or out of disk "
               "space), so its frames cannot be found. Record it again, or try a repair tool "
               "that rebuilds the index from a good file of the same camera (e.g. untrunc)";
    }
    return path.string() + " is not a video file ffmpeg recognises (" + ffmpegError(code) + ")";
}

std::string streamInventory(const AVFormatContext& context) {
    int audio = 0;
    int other = 0;
    for (unsigned i = 0; i < context.nb_streams; ++i) {
        if (context.streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
            ++audio;
        else
            ++other;
    }
    if (audio > 0 && other == 0)
        return "it holds only audio (" + std::to_string(audio) + " audio stream" +
               (audio == 1 ? "" : "s") + ")";
    return "it has " + std::to_string(context.nb_streams) + " stream(s), none of them video";
}

FormatContext openFormat(const fs::path& path) {
    requireReadableFile(path);
    AVFormatContext* raw = nullptr;
    if (const int code = avformat_open_input(&raw, path.c_str(), nullptr, nullptr); code < 0)
        throw SourceError(unopenableMessage(path, code));
    FormatContext context(raw);
    if (const int code = avformat_find_stream_info(raw, nullptr); code < 0) {
        throw SourceError("cannot read the streams of the video file " + path.string() + " (" +
                          ffmpegError(code) + ")");
    }
    return context;
}

// The first video stream that is a moving picture (an MP3's cover art is a one-frame "video").
AVStream& videoStream(const AVFormatContext& context, const fs::path& path) {
    for (unsigned i = 0; i < context.nb_streams; ++i) {
        AVStream* stream = context.streams[i];
        if (stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            (stream->disposition & AV_DISPOSITION_ATTACHED_PIC) == 0) {
            return *stream;
        }
    }
    throw SourceError("the file " + path.string() +
                      " has no video to analyse: " + streamInventory(context));
}

// The clockwise turn that shows the frames upright, as ffmpeg's own players apply it: the
// display matrix holds the counter-clockwise angle.
int displayRotation(const AVStream& stream) {
    size_t size = 0;
    const std::uint8_t* matrix = av_stream_get_side_data(&stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!matrix || size < 9 * sizeof(std::int32_t))
        return 0;
    std::array<std::int32_t, 9> values{};
    std::memcpy(values.data(), matrix, sizeof values);
    const double counter_clockwise = av_display_rotation_get(values.data());
    if (!std::isfinite(counter_clockwise))
        return 0;
    const int quarter_turns = static_cast<int>(std::lround(-counter_clockwise / 90.0));
    return ((quarter_turns % 4) + 4) % 4 * 90;
}

double toDouble(AVRational value) {
    return value.den == 0 ? 0.0 : static_cast<double>(value.num) / value.den;
}

}  // namespace

VideoFacts probeVideo(const fs::path& path) {
    const FormatContext context = openFormat(path);
    AVStream& stream = videoStream(*context, path);
    const AVCodecParameters& parameters = *stream.codecpar;
    VideoFacts facts;
    facts.codec = avcodec_get_name(parameters.codec_id);
    facts.container = context->iformat ? context->iformat->name : "";
    if (!avcodec_find_decoder(parameters.codec_id)) {
        throw SourceError("the video file " + path.string() + " is encoded as " + facts.codec +
                          ", which this machine's ffmpeg cannot decode (convert it to H.264, "
                          "e.g. ffmpeg -i IN -c:v libx264 OUT.mp4)");
    }
    facts.rotation_degrees = displayRotation(stream);
    const bool sideways = facts.rotation_degrees % 180 != 0;
    facts.width = sideways ? parameters.height : parameters.width;
    facts.height = sideways ? parameters.width : parameters.height;
    // As OpenCV's ffmpeg back end computes them, so counts agree with what it decodes.
    const double fps = toDouble(av_guess_frame_rate(context.get(), &stream, nullptr));
    facts.fps_known = plausibleFps(fps);
    facts.fps = facts.fps_known ? fps : 30.0;
    if (stream.duration > 0)
        facts.duration_ms = static_cast<double>(stream.duration) * toDouble(stream.time_base) * 1e3;
    else if (context->duration > 0)
        facts.duration_ms = static_cast<double>(context->duration) * 1e3 / AV_TIME_BASE;
    if (stream.nb_frames > 0)
        facts.frame_count = stream.nb_frames;
    else if (facts.duration_ms > 0 && facts.fps_known)
        facts.frame_count = std::llround(facts.duration_ms * facts.fps / 1e3);
    return facts;
}

std::vector<double> videoFrameTimes(const fs::path& path) {
    const FormatContext context = openFormat(path);
    const AVStream& stream = videoStream(*context, path);
    const double seconds_per_tick = toDouble(stream.time_base);
    const std::int64_t origin = stream.start_time == AV_NOPTS_VALUE ? 0 : stream.start_time;
    std::vector<std::int64_t> ticks;
    std::unique_ptr<AVPacket, void (*)(AVPacket*)> packet(av_packet_alloc(),
                                                          [](AVPacket* p) { av_packet_free(&p); });
    while (av_read_frame(context.get(), packet.get()) >= 0) {
        if (packet->stream_index == stream.index && (packet->flags & AV_PKT_FLAG_DISCARD) == 0) {
            const std::int64_t time = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
            if (time != AV_NOPTS_VALUE)
                ticks.push_back(time);
        }
        av_packet_unref(packet.get());
    }
    std::sort(ticks.begin(), ticks.end());  // packets come in decoding order
    std::vector<double> times;
    times.reserve(ticks.size());
    for (const auto tick : ticks)
        times.push_back(static_cast<double>(tick - origin) * seconds_per_tick * 1e3);
    return times;
}

VideoReader::VideoReader(const fs::path& path) : path_(path), facts_(probeVideo(path)) {
    openCapture();
    pending_ = decode();
    if (!pending_) {
        throw SourceError("the video file " + path.string() + " (" + facts_.codec +
                          ") decodes no frame (corrupt from its start?)");
    }
    facts_.width = pending_->image.cols;
    facts_.height = pending_->image.rows;
}

void VideoReader::openCapture() {
    capture_.release();
    // ffmpeg only: the same decoder for every file on every machine, and no fallback to
    // GStreamer, which guesses differently and leaks its plugins' state.
    if (!capture_.open(path_.string(), cv::CAP_FFMPEG)) {
        throw SourceError("OpenCV's ffmpeg back end cannot open the video file " + path_.string() +
                          " (" + facts_.codec + ")");
    }
    // Rotation is ours (facts_.rotation_degrees): OpenCV 4.6 turns 270° the wrong way.
    capture_.set(cv::CAP_PROP_ORIENTATION_AUTO, 0.0);
    ended_ = false;
    last_timestamp_ms_ = -1.0;
    position_ = -1;  // from the start: the next frame decoded is frame 0
}

const std::vector<double>& VideoReader::frameTimes() {
    if (!frame_times_)
        frame_times_ = videoFrameTimes(path_);
    return *frame_times_;
}

// The presentation time OpenCV reports for the frame just decoded. The frames a decoder hands
// out at the end of the stream (its delay: B-frames, frame threads) come with no time of their
// own; they, and frames of streams without times, take theirs from the container's packets.
double VideoReader::timestampOfCurrent() {
    const double reported = capture_.get(cv::CAP_PROP_POS_MSEC);
    const double last = last_timestamp_ms_;
    if (position_ != kPositionUnknown)
        ++position_;
    if (std::isfinite(reported) && (last < 0.0 || reported > last)) {
        const double time = std::max(0.0, reported);
        if (position_ == kPositionUnknown && frame_times_)
            position_ = positionOfTime(time);
        return time;
    }
    const auto& times = frameTimes();
    if (position_ >= 0 && position_ < static_cast<std::int64_t>(times.size()) &&
        times[static_cast<std::size_t>(position_)] > last) {
        return times[static_cast<std::size_t>(position_)];
    }
    return std::max(0.0, last) + 1000.0 / facts_.fps;
}

// The index in frameTimes() of the frame at `time`, or kPositionUnknown when none is there.
std::int64_t VideoReader::positionOfTime(double time) const {
    const auto& times = *frame_times_;
    const auto found = std::lower_bound(times.begin(), times.end(), time - kSameTimeMs);
    if (found == times.end() || *found > time + kSameTimeMs)
        return kPositionUnknown;
    return found - times.begin();
}

std::optional<VideoFrame> VideoReader::decode() {
    cv::Mat image;
    if (ended_ || !capture_.read(image) || image.empty()) {
        ended_ = true;
        return std::nullopt;
    }
    VideoFrame frame;
    frame.timestamp_ms = timestampOfCurrent();
    last_timestamp_ms_ = frame.timestamp_ms;
    switch (facts_.rotation_degrees) {
        case 90:
            cv::rotate(image, frame.image, cv::ROTATE_90_CLOCKWISE);
            break;
        case 180:
            cv::rotate(image, frame.image, cv::ROTATE_180);
            break;
        case 270:
            cv::rotate(image, frame.image, cv::ROTATE_90_COUNTERCLOCKWISE);
            break;
        default:
            frame.image = std::move(image);
    }
    return frame;
}

std::optional<VideoFrame> VideoReader::read() {
    std::optional<VideoFrame> frame = std::exchange(pending_, std::nullopt);
    if (!frame)
        frame = decode();
    if (!frame)
        return std::nullopt;
    frame->index = next_index_++;
    return frame;
}

bool VideoReader::seek(std::int64_t index, double timestamp_ms) {
    pending_.reset();
    frameTimes();  // to place the frames decoded after the jump, the last ones included
    // Seeking lands on a key frame near the time asked; start a little before it so the frame is
    // decoded on the way, further back when that is already past it, and from the very start
    // last of all.
    for (const double back_ms : {1000.0, 5000.0, 30000.0, -1.0}) {
        const double start = back_ms < 0.0 ? 0.0 : timestamp_ms - back_ms;
        openCapture();
        if (start > 0.0) {
            capture_.set(cv::CAP_PROP_POS_MSEC, start);
            position_ = kPositionUnknown;
        }
        bool overshot = false;
        while (auto frame = decode()) {
            if (frame->timestamp_ms < timestamp_ms - kSameTimeMs)
                continue;
            if (frame->timestamp_ms > timestamp_ms + kSameTimeMs) {
                overshot = true;
                break;
            }
            pending_ = std::move(frame);
            next_index_ = index;
            return true;
        }
        if (!overshot || start <= 0.0)
            break;
    }
    ended_ = true;
    next_index_ = index;
    return false;
}

bool VideoReader::endedShort() const {
    if (!ended_ || pending_ || facts_.frame_count < 0)
        return false;
    return facts_.frame_count - next_index_ > frameCountTolerance(facts_.frame_count);
}

}  // namespace emotrace
