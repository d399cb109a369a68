#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include "emotrace/latest_frame_slot.h"
#include "test_support.h"

using emotrace::Frame;
using emotrace::LatestFrameSlot;
using emotrace::SlotPolicy;

namespace {

Frame frameNumber(std::int64_t index) {
    Frame frame;
    frame.index = index;
    return frame;
}

// How long a blocked call may take to notice a stop before the test calls it stuck: far above
// any scheduling delay, even under a sanitizer on a loaded machine. Not a performance target.
constexpr std::chrono::seconds kStuck{10};

// Runs `call` on a thread and returns once that thread is asleep inside it (blocked in the
// slot's wait), so that what the test does next happens while it waits, never before.
// `unstick` (closing the slot) lets a call that missed its wake-up end, so a failing test ends.
template <typename Result>
class BlockedCall {
  public:
    template <typename Call>
    BlockedCall(Call call, std::function<void()> unstick) : unstick_(std::move(unstick)) {
        result_ = promise_.get_future();
        thread_ = std::thread([this, call] {
            tid_ = emotrace::test::currentThreadId();
            promise_.set_value(call());
        });
        while (tid_ == 0)
            std::this_thread::yield();
        blocked_ = emotrace::test::waitUntilSleeping(tid_, kStuck);
    }
    ~BlockedCall() {
        if (!thread_.joinable())
            return;
        if (stuck_ || result_.wait_for(kStuck) != std::future_status::ready)
            unstick_();
        thread_.join();
    }
    BlockedCall(const BlockedCall&) = delete;
    BlockedCall& operator=(const BlockedCall&) = delete;

    bool blocked() const { return blocked_; }
    // The call's result if it returned within kStuck; nullopt when it is stuck.
    std::optional<Result> result() {
        if (result_.wait_for(kStuck) != std::future_status::ready) {
            stuck_ = true;
            return std::nullopt;
        }
        thread_.join();
        return result_.get();
    }

  private:
    std::function<void()> unstick_;
    std::promise<Result> promise_;
    std::future<Result> result_;
    std::atomic<pid_t> tid_{0};
    bool blocked_ = false;
    bool stuck_ = false;
    std::thread thread_;
};

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

// The stop comes while take() is already blocked in its wait: a take that looks at its stop
// token only before waiting would sleep through it.
TEST(LatestFrameSlot, StopWakesAWaitingTake) {
    LatestFrameSlot slot;
    std::stop_source stop;
    BlockedCall<std::optional<Frame>> take([&] { return slot.take(stop.get_token()); },
                                           [&] { slot.close(); });
    ASSERT_TRUE(take.blocked()) << "the worker never blocked in take()";
    stop.request_stop();
    const auto result = take.result();
    ASSERT_TRUE(result.has_value())
        << "take() did not return within " << kStuck.count() << " s of the stop";
    EXPECT_FALSE(*result);
}

TEST(LatestFrameSlot, CloseWakesAWaitingTake) {
    LatestFrameSlot slot;
    BlockedCall<std::optional<Frame>> take([&] { return slot.take(); }, [&] { slot.close(); });
    ASSERT_TRUE(take.blocked()) << "the worker never blocked in take()";
    slot.close();
    const auto result = take.result();
    ASSERT_TRUE(result.has_value()) << "take() did not return after close()";
    EXPECT_FALSE(*result);
}

TEST(LatestFrameSlot, APutWakesAWaitingTakeWithThatFrame) {
    LatestFrameSlot slot;
    BlockedCall<std::optional<Frame>> take([&] { return slot.take(); }, [&] { slot.close(); });
    ASSERT_TRUE(take.blocked()) << "the worker never blocked in take()";
    ASSERT_TRUE(slot.put(frameNumber(42)));
    const auto result = take.result();
    ASSERT_TRUE(result.has_value()) << "take() did not return after put()";
    ASSERT_TRUE(*result);
    EXPECT_EQ((*result)->index, 42);
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

// The stop comes while the producer is already blocked waiting for room.
TEST(LatestFrameSlot, LosslessPutReturnsFalseWhenStoppedWhileFull) {
    LatestFrameSlot slot(SlotPolicy::Lossless);
    ASSERT_TRUE(slot.put(frameNumber(0)));
    std::stop_source stop;
    BlockedCall<bool> put([&] { return slot.put(frameNumber(1), stop.get_token()); },
                          [&] { slot.close(); });
    ASSERT_TRUE(put.blocked()) << "the producer never blocked in put()";
    stop.request_stop();
    const auto accepted = put.result();
    ASSERT_TRUE(accepted.has_value())
        << "put() did not return within " << kStuck.count() << " s of the stop";
    EXPECT_FALSE(*accepted);
    EXPECT_EQ(slot.take()->index, 0);
    EXPECT_EQ(slot.dropped(), 0);
}

// The worker's take() makes room: the blocked producer's frame goes in, and none is dropped.
TEST(LatestFrameSlot, LosslessPutWaitingForRoomGoesInOnceTheWorkerTakes) {
    LatestFrameSlot slot(SlotPolicy::Lossless);
    ASSERT_TRUE(slot.put(frameNumber(0)));
    BlockedCall<bool> put([&] { return slot.put(frameNumber(1)); }, [&] { slot.close(); });
    ASSERT_TRUE(put.blocked()) << "the producer never blocked in put()";
    EXPECT_EQ(slot.take()->index, 0);
    const auto accepted = put.result();
    ASSERT_TRUE(accepted.has_value()) << "put() did not return after the take";
    EXPECT_TRUE(*accepted);
    EXPECT_EQ(slot.take()->index, 1);
    EXPECT_EQ(slot.dropped(), 0);
}
