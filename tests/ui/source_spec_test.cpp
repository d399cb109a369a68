#include "source_spec.h"

#include <gtest/gtest.h>

#include "emotrace/error.h"
#include "looping_frame_source.h"

namespace emotrace::ui {
namespace {

TEST(SourceSpec, ParsesCameraScreenAndFile) {
    auto camera = parseSourceSpec("camera:2");
    EXPECT_EQ(camera.kind, SourceSpec::Kind::Camera);
    EXPECT_EQ(camera.camera_index, 2);
    EXPECT_EQ(parseSourceSpec("camera").camera_index, 0);

    auto screen = parseSourceSpec("screen:10,20,640,480");
    EXPECT_EQ(screen.kind, SourceSpec::Kind::Screen);
    EXPECT_EQ(screen.screen_region, QRect(10, 20, 640, 480));
    EXPECT_TRUE(parseSourceSpec("screen").screen_region.isEmpty());

    auto file = parseSourceSpec("/videos/call.mp4");
    EXPECT_EQ(file.kind, SourceSpec::Kind::VideoFile);
    EXPECT_EQ(file.path, "/videos/call.mp4");
}

TEST(SourceSpec, RoundTripsThroughText) {
    for (const std::string text : {"camera:1", "screen", "screen:0,0,100,50", "a/b.mp4"}) {
        EXPECT_EQ(toString(parseSourceSpec(text)), text);
    }
}

TEST(SourceSpec, RejectsMalformedText) {
    EXPECT_THROW(parseSourceSpec(""), Error);
    EXPECT_THROW(parseSourceSpec("camera:x"), Error);
    EXPECT_THROW(parseSourceSpec("camera:-1"), Error);
    EXPECT_THROW(parseSourceSpec("screen:1,2,3"), Error);
    EXPECT_THROW(parseSourceSpec("screen:1,2,0,4"), Error);
    EXPECT_THROW(parseSourceSpec("screen:1,2,3,4,5"), Error);
    try {
        parseSourceSpec("screen:1,2");
        FAIL() << "no exception";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("X,Y,W,H"), std::string::npos) << error.what();
    }
}

class CountingSource : public FrameSource {
  public:
    explicit CountingSource(int frames) : frames_(frames) {}
    std::optional<Frame> next(std::stop_token stop) override {
        if (stop.stop_requested() || index_ >= frames_)
            return std::nullopt;
        Frame frame;
        frame.index = index_;
        frame.timestamp_ms = 100.0 * index_;
        ++index_;
        return frame;
    }
    SourceInfo info() const override { return {"counting", 10.0, 1, 1, frames_}; }

  private:
    int frames_;
    int index_ = 0;
};

TEST(LoopingFrameSource, ContinuesIndexAndClockAcrossPasses) {
    int opened = 0;
    LoopingFrameSource looping([&] {
        ++opened;
        return std::make_unique<CountingSource>(3);
    });
    EXPECT_EQ(looping.info().frame_count, -1);
    std::stop_source stop;
    for (int i = 0; i < 7; ++i) {
        auto frame = looping.next(stop.get_token());
        ASSERT_TRUE(frame);
        EXPECT_EQ(frame->index, i);
        EXPECT_DOUBLE_EQ(frame->timestamp_ms, 100.0 * i);
    }
    EXPECT_EQ(opened, 3);
}

TEST(LoopingFrameSource, EndsOnStopAndOnAnEmptySource) {
    LoopingFrameSource empty([] { return std::make_unique<CountingSource>(0); });
    std::stop_source stop;
    EXPECT_FALSE(empty.next(stop.get_token()));

    LoopingFrameSource looping([] { return std::make_unique<CountingSource>(2); });
    stop.request_stop();
    EXPECT_FALSE(looping.next(stop.get_token()));
}

}  // namespace
}  // namespace emotrace::ui

namespace emotrace::ui {
namespace {

TEST(SourceSpecWindow, ACallWindowIsNamedByAPartOfItsTitleOrItsId) {
    const auto spec = parseSourceSpec("window:Clinic call");
    EXPECT_EQ(spec.kind, SourceSpec::Kind::Window);
    EXPECT_EQ(spec.window, "Clinic call");
    EXPECT_EQ(toString(spec), "window:Clinic call");
    EXPECT_EQ(parseSourceSpec("window:0x3a00007").window, "0x3a00007");
    EXPECT_THROW(parseSourceSpec("window:"), Error);
    SourceSpec nothing;
    nothing.kind = SourceSpec::Kind::Window;
    EXPECT_THROW(openFrameSource(nothing, false), SourceError);
}

// The portal source is named "screencast"; opening it asks the desktop nothing yet (its dialog
// opens when the capture thread asks for the first frame), and it says what it waits for.
TEST(SourceSpecScreenCast, TheDesktopPortalIsNamedScreencastAndOpensWithoutADialog) {
    const auto spec = parseSourceSpec("screencast");
    EXPECT_EQ(spec.kind, SourceSpec::Kind::ScreenCast);
    EXPECT_EQ(toString(spec), "screencast");
    const auto source = openFrameSource(spec, false);
    ASSERT_TRUE(source);
    EXPECT_NE(source->pausedBecause().find("sharing dialog"), std::string::npos)
        << source->pausedBecause();
}

}  // namespace
}  // namespace emotrace::ui
