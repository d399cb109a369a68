#include "emotrace/video_recorder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include <opencv2/imgproc.hpp>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
}

#include "emotrace/error.h"

namespace emotrace {
namespace {

std::string avMessage(int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return text;
}

struct DictionaryDeleter {
    void operator()(AVDictionary* dictionary) const { av_dict_free(&dictionary); }
};

// The nominal rate the encoder plans its rate control around; the real times come with each
// frame.
constexpr int kNominalFps = 30;
// A key frame at least this often, so the review player seeks without decoding long runs.
constexpr int kKeyFrameInterval = 2 * kNominalFps;

}  // namespace

struct VideoRecorder::Impl {
    AVFormatContext* format = nullptr;
    AVCodecContext* encoder = nullptr;
    AVStream* stream = nullptr;
    AVFrame* frame = nullptr;
    AVPacket* packet = nullptr;
    cv::Mat yuv;  // I420: the Y plane, then U, then V

    ~Impl() {
        av_packet_free(&packet);
        av_frame_free(&frame);
        avcodec_free_context(&encoder);
        if (format) {
            if (format->pb)
                avio_closep(&format->pb);
            avformat_free_context(format);
        }
    }
};

VideoRecorder::VideoRecorder(const std::filesystem::path& file, cv::Size size,
                             VideoRecorderOptions options)
    : file_(file), size_(size.width & ~1, size.height & ~1), impl_(std::make_unique<Impl>()) {
    if (size_.width < 2 || size_.height < 2) {
        throw OutputError("cannot record " + file.string() + ": frames of " +
                          std::to_string(size.width) + "x" + std::to_string(size.height) +
                          " pixels are too small for a video");
    }
    const AVCodec* codec = nullptr;
    if (options.codec.empty()) {
        codec = avcodec_find_encoder_by_name("libx264");
        if (!codec)
            codec = avcodec_find_encoder_by_name("mpeg4");
    } else {
        codec = avcodec_find_encoder_by_name(options.codec.c_str());
    }
    if (!codec) {
        throw OutputError("cannot record " + file.string() + ": this ffmpeg has no encoder " +
                          (options.codec.empty() ? std::string("for H.264 or MPEG-4")
                                                 : "named '" + options.codec + "'"));
    }
    if (avformat_alloc_output_context2(&impl_->format, nullptr, "matroska", file.c_str()) < 0 ||
        !impl_->format) {
        throw OutputError("cannot record " + file.string() + ": this ffmpeg cannot write Matroska");
    }
    impl_->encoder = avcodec_alloc_context3(codec);
    auto& encoder = *impl_->encoder;
    encoder.width = size_.width;
    encoder.height = size_.height;
    encoder.pix_fmt = AV_PIX_FMT_YUV420P;
    encoder.time_base = AVRational{1, 1000};  // milliseconds, as the readings' timestamps
    encoder.framerate = AVRational{kNominalFps, 1};
    encoder.gop_size = kKeyFrameInterval;
    encoder.max_b_frames = 0;  // display order == decode order: frame i is packet i
    encoder.thread_count = 1;
    // One step quieter (info becomes verbose, errors stay shown): the encoder's banner and
    // statistics are not for a therapist's terminal. Per context, not av_log_set_level's global.
    encoder.log_level_offset = AV_LOG_VERBOSE - AV_LOG_INFO;
    if (impl_->format->oformat->flags & AVFMT_GLOBALHEADER)
        encoder.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary* raw_settings = nullptr;
    if (std::strcmp(codec->name, "libx264") == 0) {
        av_dict_set(&raw_settings, "preset", "superfast", 0);
        av_dict_set(&raw_settings, "tune", "zerolatency", 0);
        av_dict_set_int(&raw_settings, "crf", options.quality, 0);
    } else {
        // MPEG-4 part 2 at a fixed quantiser: crf 26 looks about like q 5.
        encoder.flags |= AV_CODEC_FLAG_QSCALE;
        encoder.global_quality = FF_QP2LAMBDA * std::max(2, options.quality / 5);
    }
    std::unique_ptr<AVDictionary, DictionaryDeleter> settings(raw_settings);
    {
        AVDictionary* pass = settings.release();
        const int opened = avcodec_open2(&encoder, codec, &pass);
        settings.reset(pass);
        if (opened < 0)
            fail(std::string("the encoder ") + codec->name + " does not open", opened);
    }
    impl_->stream = avformat_new_stream(impl_->format, nullptr);
    if (!impl_->stream)
        fail("no memory for the video stream", AVERROR(ENOMEM));
    impl_->stream->time_base = encoder.time_base;
    avcodec_parameters_from_context(impl_->stream->codecpar, &encoder);

    // Created here with the owner-only mode and never over an existing file; avio then opens
    // the empty file (an open of an existing file keeps its mode).
    const int fd = ::open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, options.mode);
    if (fd < 0) {
        const int error = errno;
        throw OutputError("cannot record " + file.string() + ": " +
                          (error == EEXIST ? std::string("a file of that name exists already")
                                           : std::strerror(error)));
    }
    ::close(fd);
    if (const int opened = avio_open(&impl_->format->pb, file.c_str(), AVIO_FLAG_WRITE);
        opened < 0) {
        std::filesystem::remove(file);
        fail("the file does not open", opened);
    }
    AVDictionary* raw_muxer = nullptr;
    av_dict_set_int(&raw_muxer, "cluster_time_limit", options.cluster.count(), 0);
    const int header = avformat_write_header(impl_->format, &raw_muxer);
    av_dict_free(&raw_muxer);
    if (header < 0)
        fail("the file's header cannot be written", header);
    impl_->frame = av_frame_alloc();
    impl_->packet = av_packet_alloc();
    if (!impl_->frame || !impl_->packet)
        fail("no memory for frames", AVERROR(ENOMEM));
    impl_->frame->format = encoder.pix_fmt;
    impl_->frame->width = size_.width;
    impl_->frame->height = size_.height;
    if (const int allocated = av_frame_get_buffer(impl_->frame, 0); allocated < 0)
        fail("no memory for frames", allocated);
}

VideoRecorder::~VideoRecorder() {
    try {
        finish();
    } catch (const std::exception&) {  // said by finish() to a caller that asks
    }
}

std::string VideoRecorder::codec() const {
    return impl_->encoder && impl_->encoder->codec ? impl_->encoder->codec->name : "";
}

void VideoRecorder::fail(const std::string& what, int av_error) {
    throw OutputError("cannot record " + file_.string() + ": " + what + " (" + avMessage(av_error) +
                      ")");
}

void VideoRecorder::write(const cv::Mat& frame, double timestamp_ms) {
    if (finished_)
        throw OutputError("cannot record " + file_.string() + ": the recording is finished");
    CV_Assert(frame.depth() == CV_8U && (frame.channels() == 3 || frame.channels() == 1));
    cv::Mat bgr = frame;
    if (frame.channels() == 1)
        cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
    if (bgr.size() != size_) {
        // An odd size loses its last column or row; another size (a resized screen region) is
        // scaled, so the recording keeps one size throughout.
        if (bgr.cols - size_.width <= 1 && bgr.rows - size_.height <= 1 &&
            bgr.cols >= size_.width && bgr.rows >= size_.height)
            bgr = bgr(cv::Rect(0, 0, size_.width, size_.height));
        else
            cv::resize(bgr, bgr, size_, 0, 0, cv::INTER_AREA);
    }
    cv::cvtColor(bgr, impl_->yuv, cv::COLOR_BGR2YUV_I420);
    auto* picture = impl_->frame;
    if (const int writable = av_frame_make_writable(picture); writable < 0)
        fail("no memory for frames", writable);
    const int width = size_.width;
    const int height = size_.height;
    const uchar* plane = impl_->yuv.data;
    for (int row = 0; row < height; ++row)
        std::memcpy(picture->data[0] + row * picture->linesize[0], plane + row * width, width);
    plane += static_cast<std::ptrdiff_t>(width) * height;
    for (int channel = 1; channel <= 2; ++channel) {
        for (int row = 0; row < height / 2; ++row) {
            std::memcpy(picture->data[channel] + row * picture->linesize[channel],
                        plane + row * (width / 2), width / 2);
        }
        plane += static_cast<std::ptrdiff_t>(width / 2) * (height / 2);
    }
    // Rounded down, so the frame's time never lies after its reading's: a reader placing the
    // reading's time finds this frame, not the one before.
    auto pts = static_cast<std::int64_t>(std::floor(std::max(0.0, timestamp_ms)));
    // The first frame is shown from 0: readers count time from the stream's first frame, so a
    // session whose first reading came at 33 ms (the first camera frame dropped) would otherwise
    // have every frame 33 ms early, one frame off. Shown from 0, it is still the frame on show
    // at its own time, and every later frame keeps its session time.
    if (frames_written_ == 0)
        pts = 0;
    if (pts <= last_pts_)
        pts = last_pts_ + 1;
    last_pts_ = pts;
    picture->pts = pts;
    if (const int sent = avcodec_send_frame(impl_->encoder, picture); sent < 0)
        fail("the encoder refused a frame", sent);
    encode();
    ++frames_written_;
}

void VideoRecorder::encode() {
    for (;;) {
        const int received = avcodec_receive_packet(impl_->encoder, impl_->packet);
        if (received == AVERROR(EAGAIN) || received == AVERROR_EOF)
            return;
        if (received < 0)
            fail("the encoder failed", received);
        av_packet_rescale_ts(impl_->packet, impl_->encoder->time_base, impl_->stream->time_base);
        impl_->packet->stream_index = impl_->stream->index;
        const int written = av_write_frame(impl_->format, impl_->packet);
        av_packet_unref(impl_->packet);
        if (written < 0)
            fail("a frame cannot be written", written);
        if (impl_->format->pb->error < 0)
            fail("a frame cannot be written", impl_->format->pb->error);
    }
}

void VideoRecorder::flush() {
    if (finished_)
        return;
    // A null packet makes the Matroska muxer close its cluster; avio_flush hands the bytes to
    // the kernel, where a killed process cannot lose them.
    if (const int flushed = av_write_frame(impl_->format, nullptr); flushed < 0)
        fail("the file cannot be written", flushed);
    avio_flush(impl_->format->pb);
    if (impl_->format->pb->error < 0)
        fail("the file cannot be written", impl_->format->pb->error);
}

void VideoRecorder::finish() {
    if (finished_)
        return;
    finished_ = true;
    if (const int sent = avcodec_send_frame(impl_->encoder, nullptr); sent < 0)
        fail("the encoder cannot be drained", sent);
    encode();
    if (const int trailer = av_write_trailer(impl_->format); trailer < 0)
        fail("the file's index cannot be written", trailer);
    const int closed = avio_closep(&impl_->format->pb);
    if (closed < 0)
        fail("the file cannot be closed", closed);
}

}  // namespace emotrace
