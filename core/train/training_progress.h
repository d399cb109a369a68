// Private to emotrace_train: the live line of a training epoch on stderr, with ETA and the
// running loss and accuracy: redrawn in place on a terminal, a plain line now and then in a log.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace emotrace::train {

// "epoch 2/10 [######        ]  41%  370/898 steps  6.1 steps/s  ETA 1:27  loss 1.2345  acc 51.2%"
std::string formatTrainingProgress(int epoch, int epochs, std::int64_t done, std::int64_t total,
                                   std::chrono::duration<double> elapsed, double loss,
                                   double accuracy);

class TrainingProgress {
  public:
    // Nothing is drawn when `enabled` is false. `done_before` steps were done by an earlier
    // process (a resumed epoch): they count as done but not towards the rate.
    TrainingProgress(std::ostream& out, bool enabled, int epoch, int epochs, std::int64_t total,
                     std::int64_t done_before = 0);
    void update(std::int64_t done, double loss, double accuracy);
    void finish(const std::string& summary);

  private:
    std::ostream& out_;
    bool enabled_;
    bool interactive_;
    int epoch_;
    int epochs_;
    std::int64_t total_;
    std::int64_t done_before_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    std::size_t last_length_ = 0;
};

}  // namespace emotrace::train
