#include "training_progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "emotrace/progress_bar.h"

namespace emotrace::train {

std::string formatTrainingProgress(int epoch, int epochs, std::int64_t done, std::int64_t total,
                                   std::chrono::duration<double> elapsed, double loss,
                                   double accuracy) {
    constexpr int kWidth = 20;
    const auto filled =
        total > 0 ? static_cast<int>(std::min<std::int64_t>(done * kWidth / total, kWidth)) : 0;
    const double seconds = elapsed.count();
    const double rate = seconds > 0.0 ? static_cast<double>(done) / seconds : 0.0;
    std::string eta = "--:--";
    if (done >= total)
        eta = formatDuration(std::chrono::seconds{0});
    else if (rate > 0.0)
        eta = formatDuration(std::chrono::seconds{
            static_cast<std::int64_t>(std::ceil(static_cast<double>(total - done) / rate))});
    char text[256];
    std::snprintf(text, sizeof text,
                  "epoch %d/%d [%s%s] %3d%%  %lld/%lld steps  %.1f steps/s  ETA %s  loss %.4f  "
                  "acc %.1f%%",
                  epoch, epochs, std::string(static_cast<std::size_t>(filled), '#').c_str(),
                  std::string(static_cast<std::size_t>(kWidth - filled), ' ').c_str(),
                  total > 0 ? static_cast<int>(std::min<std::int64_t>(done * 100 / total, 100)) : 0,
                  static_cast<long long>(done), static_cast<long long>(total), rate, eta.c_str(),
                  loss, 100.0 * accuracy);
    return text;
}

TrainingProgress::TrainingProgress(std::ostream& out, bool enabled, int epoch, int epochs,
                                   std::int64_t total, std::int64_t done_before)
    : out_(out),
      enabled_(enabled),
      interactive_(stderrIsTerminal()),
      epoch_(epoch),
      epochs_(epochs),
      total_(total),
      done_before_(done_before),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void TrainingProgress::update(std::int64_t done, double loss, double accuracy) {
    if (!enabled_)
        return;
    const auto now = std::chrono::steady_clock::now();
    const auto interval = interactive_ ? std::chrono::milliseconds(200) : std::chrono::seconds(30);
    if (now - last_draw_ < interval)
        return;
    last_draw_ = now;
    // The rate counts only this process's steps, so a resumed epoch's ETA stays honest.
    auto line = formatTrainingProgress(epoch_, epochs_, done - done_before_, total_ - done_before_,
                                       now - start_, loss, accuracy);
    if (done_before_ > 0)
        line += "  (resumed at step " + std::to_string(done_before_) + ")";
    if (interactive_) {
        const auto padding = last_length_ > line.size() ? last_length_ - line.size() : 0;
        out_ << '\r' << line << std::string(padding, ' ') << std::flush;
        last_length_ = line.size();
    } else {
        out_ << line << '\n' << std::flush;
    }
}

void TrainingProgress::finish(const std::string& summary) {
    if (!enabled_)
        return;
    if (interactive_ && last_length_ > 0)
        out_ << '\r' << std::string(last_length_, ' ') << '\r';
    out_ << summary << '\n' << std::flush;
}

}  // namespace emotrace::train
