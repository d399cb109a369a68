#include "moments_json.h"

namespace emotrace {

nlohmann::ordered_json momentsJson(const std::vector<std::string>& labels,
                                   std::span<const Moment> moments, const MomentOptions& rule) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& m : moments) {
        const bool known = m.label >= 0 && static_cast<std::size_t>(m.label) < labels.size();
        list.push_back(
            {{"track", m.track_id},
             {"emotion", known ? nlohmann::ordered_json(labels[static_cast<std::size_t>(m.label)])
                               : nlohmann::ordered_json(nullptr)},
             {"start_ms", m.start_ms},
             {"end_ms", m.end_ms},
             {"peak_ms", m.peak_ms},
             {"peak_frame", m.peak_frame},
             {"peak_probability", m.peak_probability},
             {"reported_ms", m.reported_ms}});
    }
    return {{"rule",
             {{"rise", rule.rise},
              {"min_probability", rule.min_probability},
              {"min_duration_seconds", rule.min_duration_seconds},
              {"end_fraction", rule.end_fraction},
              {"smoothing_seconds", rule.smoothing_seconds},
              {"baseline_seconds", rule.baseline_seconds},
              {"max_gap_seconds", rule.max_gap_seconds},
              {"spread_factor", rule.spread_factor},
              {"spread_floor", rule.spread_floor}}},
            {"list", list}};
}

}  // namespace emotrace
