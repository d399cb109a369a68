// The review workspace's moments: computed from the stored readings with the live rule at the
// chosen sensitivity, with the reviewer's decisions and the thumbnails kept live from the store.
#include <algorithm>
#include <map>
#include <utility>

#include "emotion_palette.h"
#include "emotrace/moment_thumbnails.h"
#include "moment_list.h"
#include "review_moments.h"
#include "review_timeline.h"
#include "review_workspace.h"
#include "video_view.h"

namespace emotrace::ui {

namespace {

// Thumbnails cut per timer tick: each opens the video and seeks, tens of milliseconds.
constexpr std::size_t kThumbnailsPerTick = 3;

bool sameMoments(const std::vector<Moment>& a, const std::vector<Moment>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Moment& x, const Moment& y) {
        return x.track_id == y.track_id && x.label == y.label && x.start_ms == y.start_ms &&
               x.end_ms == y.end_ms && x.peak_frame == y.peak_frame;
    });
}

}  // namespace

void ReviewWorkspace::loadMomentRecords() {
    live_moments_.clear();
    moment_decisions_.clear();
    if (!session_ || !store_)
        return;
    live_moments_ = store_->liveMoments(session_->id);
    moment_decisions_ = store_->momentDecisions(session_->id);
}

QString ReviewWorkspace::momentState(const Moment& moment) const {
    for (const auto& decided : moment_decisions_) {
        if (isSameMoment(decided.moment, moment))
            return decided.decision == MomentDecision::Accepted ? tr("marker") : tr("dismissed");
    }
    return {};
}

void ReviewWorkspace::setMomentSensitivity(MomentSensitivity sensitivity) {
    if (sensitivity == moment_sensitivity_)
        return;
    moment_sensitivity_ = sensitivity;
    moment_panel_->setSensitivity(sensitivity);
    moments_.clear();
    refreshMoments();
}

void ReviewWorkspace::refreshMoments() {
    if (!session_ || labels().empty()) {
        moments_.clear();
        thumbnail_timer_.stop();
        moment_panel_->setNote(session_ ? tr("This session was analysed without an emotion "
                                             "model: there are no moments to find.")
                                        : tr("Open a session to see its moments."));
        timeline_->setMoments({});
        return;
    }
    auto found = findMoments(frames_, labels(), MomentOptions::forSensitivity(moment_sensitivity_));
    if (!sameMoments(found, moments_) || moment_panel_->list()->count() != int(found.size())) {
        // The list keeps the thumbnails already cut (a moment still growing keeps its peak's).
        std::map<std::pair<int, std::int64_t>, QImage> cut;
        for (int i = 0; i < moment_panel_->list()->count() && i < int(moments_.size()); ++i) {
            const auto& m = moments_[static_cast<std::size_t>(i)];
            const auto image = moment_panel_->list()->thumbnail(i);
            if (!image.isNull())
                cut[{m.track_id, m.peak_frame}] = image;
        }
        moments_ = std::move(found);
        std::vector<QString> states;
        for (const auto& m : moments_)
            states.push_back(momentState(m));
        moment_panel_->setMoments(moments_, labels(), states);
        thumbnails_cut_ = 0;
        for (std::size_t i = 0; i < moments_.size(); ++i) {
            if (const auto it = cut.find({moments_[i].track_id, moments_[i].peak_frame});
                it != cut.end())
                moment_panel_->setThumbnail(static_cast<int>(i), it->second);
        }
        thumbnail_timer_.start();
    }
    std::vector<std::pair<Moment, QColor>> marks;
    for (const auto& m : moments_) {
        if (track_ >= 0 && m.track_id != track_)
            continue;
        const auto& names = labels();
        const auto label = static_cast<std::size_t>(m.label);
        marks.emplace_back(m, emotionColor(label < names.size() ? names[label] : "", m.label));
    }
    timeline_->setMoments(marks);
}

void ReviewWorkspace::cutNextThumbnails() {
    std::vector<Moment> batch;
    std::vector<int> numbers;
    while (thumbnails_cut_ < moments_.size() && batch.size() < kThumbnailsPerTick) {
        const int number = static_cast<int>(thumbnails_cut_++);
        if (!moment_panel_->list()->thumbnail(number).isNull())
            continue;
        batch.push_back(moments_[static_cast<std::size_t>(number)]);
        numbers.push_back(number);
    }
    if (thumbnails_cut_ >= moments_.size())
        thumbnail_timer_.stop();
    if (batch.empty() || !session_)
        return;
    const auto images = momentThumbnails(batch, live_moments_, frames_, session_->recording.path);
    for (std::size_t i = 0; i < images.size(); ++i) {
        if (!images[i].empty())
            moment_panel_->setThumbnail(numbers[i], toQImage(images[i]));
    }
}

bool ReviewWorkspace::acceptMoment(int number) {
    if (!session_ || !store_ || number < 0 || number >= static_cast<int>(moments_.size()))
        return false;
    const auto& m = moments_[static_cast<std::size_t>(number)];
    if (momentState(m) == tr("marker"))
        return false;  // accepted before: one marker per moment
    Marker marker;
    marker.start_ms = marker.end_ms = m.start_ms;
    const auto& names = labels();
    if (static_cast<std::size_t>(m.label) < names.size())
        marker.label = names[static_cast<std::size_t>(m.label)];
    marker.note = tr("moment: peak %1 at %2 s")
                      .arg(m.peak_probability, 0, 'f', 2)
                      .arg(m.peak_ms / 1000.0, 0, 'f', 1)
                      .toStdString();
    try {
        store_->addMarker(session_->id, marker);
        store_->decideMoment(session_->id, m, MomentDecision::Accepted);
        moment_decisions_ = store_->momentDecisions(session_->id);
    } catch (const std::exception& error) {
        showError(tr("The moment could not be kept as a marker: %1").arg(error.what()));
        return false;
    }
    moment_panel_->setState(number, tr("marker"));
    reloadMarkers();
    return true;
}

bool ReviewWorkspace::dismissMoment(int number) {
    if (!session_ || !store_ || number < 0 || number >= static_cast<int>(moments_.size()))
        return false;
    try {
        store_->decideMoment(session_->id, moments_[static_cast<std::size_t>(number)],
                             MomentDecision::Dismissed);
        moment_decisions_ = store_->momentDecisions(session_->id);
    } catch (const std::exception& error) {
        showError(tr("The moment could not be dismissed: %1").arg(error.what()));
        return false;
    }
    moment_panel_->setState(number, tr("dismissed"));
    return true;
}

bool ReviewWorkspace::restoreMoment(int number) {
    if (!session_ || !store_ || number < 0 || number >= static_cast<int>(moments_.size()))
        return false;
    try {
        store_->forgetMomentDecision(session_->id, moments_[static_cast<std::size_t>(number)]);
        moment_decisions_ = store_->momentDecisions(session_->id);
    } catch (const std::exception& error) {
        showError(tr("The moment could not be restored: %1").arg(error.what()));
        return false;
    }
    moment_panel_->setState(number, {});
    return true;
}

}  // namespace emotrace::ui
