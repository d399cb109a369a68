#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "emotrace/latest_frame_slot.h"

using emotrace::Frame;
using emotrace::LatestFrameSlot;
using emotrace::SlotPolicy;

namespace {

Frame frameNumber(std::int64_t index) {
    Frame frame;
    frame.index = index;
    return frame;
}

}  // namespace

TEST(LatestFrameSlot, WorkerHeldDropsAllButNewest) {
    LatestFrameSlot slot;
    // The worker is busy (holds no take) while frames 0..4 arrive: only 4 survives.
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(slot.put(frameNumber(i)));
    auto taken = slot.take();
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->index, 4);
    EXPECT_EQ(slot.dropped(), 4);
}

TEST(LatestFrameSlot, FramesTakenInTimeAreNotDropped) {
    LatestFrameSlot slot;
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(slot.put(frameNumber(i)));
        EXPECT_EQ(slot.take()->index, i);
    }
    EXPECT_EQ(slot.dropped(), 0);
}

TEST(LatestFrameSlot, ExactSequenceUnderAlternatingHoldAndRelease) {
    LatestFrameSlot slot;
    std::vector<std::int64_t> seen;
    slot.put(frameNumber(0));
    seen.push_back(slot.take()->index);  // 0 gets through
    slot.put(frameNumber(1));
    slot.put(frameNumber(2));  // 1 dropped while the worker was busy
    seen.push_back(slot.take()->index);
    slot.put(frameNumber(3));
    slot.put(frameNumber(4));
    slot.put(frameNumber(5));  // 3 and 4 dropped
    seen.push_back(slot.take()->index);
    EXPECT_EQ(seen, (std::vector<std::int64_t>{0, 2, 5}));
    EXPECT_EQ(slot.dropped(), 3);
}

TEST(LatestFrameSlot, CloseDrainsTheWaitingFrameThenEnds) {
    LatestFrameSlot slot;
    slot.put(frameNumber(7));
    slot.close();
    EXPECT_FALSE(slot.put(frameNumber(8)));
    auto taken = slot.take();
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->index, 7);
    EXPECT_FALSE(slot.take());
}

TEST(LatestFrameSlot, StopWakesAWaitingTake) {
    LatestFrameSlot slot;
    std::stop_source stop;
    std::optional<Frame> result = frameNumber(-1);
    std::thread worker([&] { result = slot.take(stop.get_token()); });
    stop.request_stop();
    worker.join();
    EXPECT_FALSE(result);
}

TEST(LatestFrameSlot, LosslessProducerWaitsForTheWorker) {
    LatestFrameSlot slot(SlotPolicy::Lossless);
    std::vector<std::int64_t> seen;
    std::thread worker([&] {
        while (auto frame = slot.take())
            seen.push_back(frame->index);
    });
    for (int i = 0; i < 100; ++i)
        ASSERT_TRUE(slot.put(frameNumber(i)));
    slot.close();
    worker.join();
    ASSERT_EQ(seen.size(), 100u);
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(seen[static_cast<std::size_t>(i)], i);
    EXPECT_EQ(slot.dropped(), 0);
}

TEST(LatestFrameSlot, LosslessPutReturnsFalseWhenStoppedWhileFull) {
    LatestFrameSlot slot(SlotPolicy::Lossless);
    ASSERT_TRUE(slot.put(frameNumber(0)));
    std::stop_source stop;
    bool accepted = true;
    std::thread producer([&] { accepted = slot.put(frameNumber(1), stop.get_token()); });
    stop.request_stop();
    producer.join();
    EXPECT_FALSE(accepted);
    EXPECT_EQ(slot.take()->index, 0);
}
