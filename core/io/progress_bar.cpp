#include "emotrace/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace emotrace {
namespace {

std::string oneDecimal(double value) {
    std::array<char, 32> buffer{};
    auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                      std::chars_format::fixed, 1);
    if (error != std::errc{})
        return "?";
    return {buffer.data(), end};
}

std::string twoDigits(std::int64_t value) {
    std::string text = std::to_string(value);
    if (text.size() < 2)
        text.insert(text.begin(), '0');
    return text;
}

std::string bar(std::int64_t done, std::int64_t total, int width) {
    const auto filled = static_cast<int>(std::min<std::int64_t>(done * width / total, width));
    return '[' + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(width - filled), ' ') + ']';
}

}  // namespace

std::string formatDuration(std::chrono::seconds duration) {
    const std::int64_t total = std::max<std::int64_t>(duration.count(), 0);
    const std::int64_t hours = total / 3600;
    const std::int64_t minutes = total / 60 % 60;
    const std::int64_t seconds = total % 60;
    if (hours > 0)
        return std::to_string(hours) + ':' + twoDigits(minutes) + ':' + twoDigits(seconds);
    return std::to_string(minutes) + ':' + twoDigits(seconds);
}

std::string formatProgress(std::int64_t done, std::int64_t total,
                           std::chrono::duration<double> elapsed, int bar_width,
                           std::int64_t done_before) {
    const double seconds = elapsed.count();
    const std::int64_t done_now = done - done_before;
    const bool rate_known = done_now > 0 && seconds > 0.0;
    const double rate = rate_known ? static_cast<double>(done_now) / seconds : 0.0;
    const std::string rate_text = (rate_known ? oneDecimal(rate) : std::string("--")) + " frames/s";
    if (total <= 0)
        return std::to_string(done) + " frames  " + rate_text;

    const auto percent = std::min<std::int64_t>(done * 100 / total, 100);
    std::string eta = "--:--";
    if (done >= total) {
        eta = formatDuration(std::chrono::seconds{0});
    } else if (rate_known) {
        const double left = static_cast<double>(total - done) / rate;
        eta = formatDuration(std::chrono::seconds{static_cast<std::int64_t>(std::ceil(left))});
    }
    std::string percent_text = std::to_string(percent) + '%';
    percent_text.insert(0, 4 - std::min<std::size_t>(percent_text.size(), 4), ' ');
    return bar(done, total, bar_width) + ' ' + percent_text + "  " + std::to_string(done) + '/' +
           std::to_string(total) + " frames  " + rate_text + "  ETA " + eta;
}

ProgressBar::ProgressBar(std::ostream& out, std::int64_t total, ProgressBarOptions options)
    : out_(out), total_(total), options_(std::move(options)), start_(options_.clock()) {}

void ProgressBar::update(std::int64_t done) {
    if (finished_)
        return;
    const auto now = options_.clock();
    const auto interval =
        options_.interactive ? options_.redraw_interval : options_.plain_line_interval;
    // A terminal shows the bar at once; a plain log gets its first line only after one
    // interval, so a short run logs just the final line.
    const bool first_on_terminal = options_.interactive && !drawn_;
    const auto reference = drawn_ ? last_draw_ : start_;
    if (!first_on_terminal && now - reference < interval)
        return;
    draw(done, now);
}

void ProgressBar::finish(std::int64_t done) {
    if (finished_)
        return;
    draw(done, options_.clock());
    if (options_.interactive)
        out_ << '\n';
    out_.flush();
    finished_ = true;
}

void ProgressBar::draw(std::int64_t done, SteadyClock::time_point now) {
    const std::string line =
        formatProgress(done, total_, now - start_, options_.bar_width, options_.done_before);
    if (options_.interactive) {
        // Spaces wipe what a longer previous line left behind.
        const std::size_t padding = last_length_ > line.size() ? last_length_ - line.size() : 0;
        out_ << '\r' << line << std::string(padding, ' ');
    } else {
        out_ << line << '\n';
    }
    out_.flush();
    last_length_ = line.size();
    last_draw_ = now;
    drawn_ = true;
}

bool stderrIsTerminal() {
    return ::isatty(::fileno(stderr)) != 0;
}

}  // namespace emotrace
