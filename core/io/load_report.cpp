#include "emotrace/load_report.h"

#include <sstream>

namespace emotrace {

LoadReport::LoadReport(std::string source, bool strict, std::size_t max_examples)
    : source_(std::move(source)), strict_(strict), max_examples_(max_examples) {}

void LoadReport::skip(const std::string& reason, const std::string& detail) {
    if (strict_)
        throw DatasetError(detail + " (strict mode stops at the first bad item)");
    ++skipped_;
    ++by_reason_[reason];
    if (examples_.size() < max_examples_)
        examples_.push_back(detail);
}

void LoadReport::warn(const std::string& detail) {
    if (strict_)
        throw DatasetError(detail + " (strict mode stops at the first problem)");
    warnings_.push_back(detail);
}

std::string LoadReport::summary() const {
    std::ostringstream out;
    out << source_ << ": " << loaded_ << " loaded, " << skipped_ << " skipped";
    if (!by_reason_.empty()) {
        out << " (";
        bool first = true;
        for (const auto& [reason, count] : by_reason_) {
            out << (first ? "" : ", ") << reason << ": " << count;
            first = false;
        }
        out << ")";
    }
    for (const auto& example : examples_)
        out << "\n  skipped " << example;
    if (skipped_ > examples_.size())
        out << "\n  ... and " << skipped_ - examples_.size() << " more";
    for (const auto& warning : warnings_)
        out << "\n  warning: " << warning;
    return out.str();
}

}  // namespace emotrace
