// The JSON of a list of moments with the rule that found them, shared by the session JSON and
// the analysis summary JSON so both describe moments the same way.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emotrace/moments.h"

namespace emotrace {

nlohmann::ordered_json momentsJson(const std::vector<std::string>& labels,
                                   std::span<const Moment> moments, const MomentOptions& rule);

}  // namespace emotrace
