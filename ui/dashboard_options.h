// The dashboard's command line as a plain struct, parsed without Qt so a bad option is reported
// (exit code 2) before any window or model is touched.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "emotrace/face_detector.h"
#include "emotrace/live_smoothing.h"
#include "source_spec.h"

namespace emotrace::dashboard {

// --person TRACK:NAME[:follow|:leave-out]: what to do with a face once it is found (for demos
// and screenshots of a known clip; faces are numbered in the order found).
struct PersonOption {
    int track = 0;
    std::string name;
    bool follow = false;
    bool leave_out = false;
};
// Throws Error naming the text and the form expected.
PersonOption parsePersonOption(const std::string& text);

struct DashboardOptions {
    std::optional<ui::SourceSpec> source;  // set: the session starts at once
    std::filesystem::path model;           // empty: no emotions, boxes only
    bool default_model = true;             // no --model / --no-model: the shipped model
    DetectorOptions detector;
    bool loop = false;
    // The overlay's time constant (LiveEmotionSmoother); 0 shows each frame's own result.
    double smoothing_seconds = LiveSmoothingOptions{}.seconds;
    bool smoothing_given = false;  // --smoothing on the command line: it overrides the settings
    double resting_face_first_seconds = 0.0;  // --resting-face-first: 0 = off
    int threads = 0;                          // 0: the libraries' defaults (LibTorch: 1)
    std::filesystem::path review;             // set: open the review workspace on this recording
    double review_at_seconds = 0.0;           // where the review's player starts
    std::string review_tab;            // --review-tab: the side tab to show (for screenshots)
    std::filesystem::path store;       // empty: SessionStore's defaultStorePath()
    bool keep = true;                  // --no-keep: live sessions are not written to the store
    bool record = false;               // --record: record the session's frames beside the store
    std::string label;                 // --label: the session label to start with
    std::vector<PersonOption> people;  // --person, in the order given
    std::int64_t review_session = 0;   // --review-session: open the review on this stored session
    std::filesystem::path screenshot;
    double quit_after_seconds = 0.0;  // 0: run until closed
    bool help = false;
    bool version = false;
};

// Declared with CLI11: accepts "--name value" and "--name=value". Throws Error naming the
// option and what it expects.
DashboardOptions parseDashboardOptions(const std::vector<std::string>& arguments);
DashboardOptions parseDashboardOptions(int argc, char* argv[]);
std::string usage();

}  // namespace emotrace::dashboard
