#include "session_controller.h"

#include <utility>

#include "emotrace/error.h"

namespace emotrace::ui {
namespace {

// The pipeline owns its analyzer and the analyzer its classifier, but the model is loaded once
// per run of the app and used by every session: each session borrows it. Only one pipeline
// exists at a time, and its threads are joined before the next one starts.
class BorrowedClassifier : public EmotionClassifier {
  public:
    explicit BorrowedClassifier(std::shared_ptr<EmotionClassifier> model)
        : model_(std::move(model)) {}
    const ModelInfo& info() const override { return model_->info(); }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        return model_->classify(faces);
    }
    bool readsTiltedFacesApart() const override { return model_->readsTiltedFacesApart(); }
    std::vector<std::vector<float>> classifyTilted(std::span<const cv::Mat> faces) override {
        return model_->classifyTilted(faces);
    }

  private:
    std::shared_ptr<EmotionClassifier> model_;
};

// Often enough for a status bar to feel live, rare enough not to relayout it every frame.
constexpr int kFiguresIntervalMs = 500;

}  // namespace

SessionController::SessionController(DetectorFactory detectors,
                                     std::unique_ptr<EmotionClassifier> classifier, QObject* parent)
    : QObject(parent), detectors_(std::move(detectors)), classifier_(std::move(classifier)) {
    figures_timer_.setInterval(kFiguresIntervalMs);
    connect(&figures_timer_, &QTimer::timeout, this, [this] {
        emit figuresChanged(figures());
        checkWriter();
        checkSourcePaused();
    });
}

SessionController::~SessionController() {
    // Join the threads while this object is still whole: after the join no callback can post
    // another call to it, and ~QObject discards the calls already posted. The pipeline goes
    // first: its worker hands readings to the writer, which then commits the last of them.
    pipeline_.reset();
    writer_.reset();
}

void SessionController::setKeeping(SessionKeeping keeping) {
    keeping_ = std::move(keeping);
}

bool SessionController::isRecording() const {
    return pipeline_ && writer_ && writer_->isRecording();
}

std::optional<std::int64_t> SessionController::keptSessionId() const {
    if (!writer_)
        return std::nullopt;
    return writer_->sessionId();
}

void SessionController::setSessionLabel(const QString& label) {
    label_ = label.trimmed();
    // Only a running session is relabelled: once it has stopped, a label typed in the field is
    // the next client's, and must never land on the session just kept.
    if (pipeline_ && writer_)
        writer_->setLabel(label_.toStdString());
}

std::optional<int> SessionController::addMarker(const QString& label) {
    if (!pipeline_)
        return std::nullopt;
    Marker marker;
    marker.start_ms = marker.end_ms = last_result_ms_;
    marker.label = label.trimmed().toStdString();
    const int number = markers_++;
    if (writer_)
        writer_->addMarker(marker);
    emit markerAdded(number, marker);
    return number;
}

std::optional<int> SessionController::markMoment(int moment) {
    if (moment < 0 || static_cast<std::size_t>(moment) >= moments_.size() ||
        (!writer_ && !pipeline_))
        return std::nullopt;
    if (moment_marked_[static_cast<std::size_t>(moment)])
        return std::nullopt;
    const auto& found = moments_[static_cast<std::size_t>(moment)].moment;
    Marker marker;
    marker.start_ms = marker.end_ms = found.start_ms;
    const auto names = labels();
    if (found.label >= 0 && static_cast<std::size_t>(found.label) < names.size())
        marker.label = names[static_cast<std::size_t>(found.label)];
    if (writer_) {
        try {
            writer_->addMarker(marker);
        } catch (const std::exception& error) {  // after the session: written at once
            emit keepingFailed(tr("The marker could not be kept: %1").arg(error.what()));
            return std::nullopt;
        }
    }
    moment_marked_[static_cast<std::size_t>(moment)] = true;
    const int number = markers_++;
    emit markerAdded(number, marker);
    return number;
}

bool SessionController::isMomentMarked(int moment) const {
    return moment >= 0 && static_cast<std::size_t>(moment) < moment_marked_.size() &&
           moment_marked_[static_cast<std::size_t>(moment)];
}

void SessionController::setFollowedTrack(std::optional<int> track) {
    const std::vector<int> wanted = track ? std::vector{*track} : std::vector<int>{};
    if (wanted == followed_)
        return;
    for (int followed : std::vector<int>(followed_)) {
        if (!track || followed != *track)
            setTrackFollowed(followed, false);
    }
    if (track)
        setTrackFollowed(*track, true);
}

std::optional<int> SessionController::followedTrack() const {
    return followed_.empty() ? std::nullopt : std::optional(followed_.front());
}

void SessionController::setTrackFollowed(int track, bool followed) {
    const auto at = std::find(followed_.begin(), followed_.end(), track);
    if ((at != followed_.end()) == followed)
        return;
    if (followed && isTrackExcluded(track))
        return;  // a person left out is not read, so there is nothing to follow
    const auto first_before = followedTrack();
    if (followed)
        followed_.push_back(track);
    else
        followed_.erase(at);
    personOf(track).followed = followed;
    keepPerson(track);
    if (writer_ && pipeline_ && followedTrack() != first_before) {
        // The stored session opens on the first person followed, its exports too.
        try {
            writer_->setFollowedTrack(followedTrack().value_or(-1));
        } catch (const std::exception&) {  // the store's failure is said by checkWriter()
        }
    }
    if (followedTrack() != first_before)
        emit followedTrackChanged(followedTrack());
    emit peopleChanged();
}

void SessionController::setPersonName(int track, const QString& name) {
    const auto text = name.trimmed().toStdString();
    if (personOf(track).name == text)
        return;
    personOf(track).name = text;
    keepPerson(track);
    emit peopleChanged();
}

QString SessionController::personName(int track) const {
    const auto person = people_.find(track);
    return person == people_.end() ? QString() : QString::fromStdString(person->second.name);
}

void SessionController::setTrackExcluded(int track, bool excluded) {
    if (isTrackExcluded(track) == excluded)
        return;
    if (excluded)
        setTrackFollowed(track, false);
    personOf(track).excluded = excluded;
    if (finder_)
        finder_->setExcluded(track, excluded);
    keepPerson(track);
    emit peopleChanged();
}

bool SessionController::isTrackExcluded(int track) const {
    const auto person = people_.find(track);
    return person != people_.end() && person->second.excluded;
}

std::vector<int> SessionController::tracksSeen() const {
    std::vector<int> tracks;
    for (const auto& [track, person] : people_)
        tracks.push_back(track);
    return tracks;
}

Person& SessionController::personOf(int track) {
    auto [person, added] = people_.try_emplace(track);
    if (added)
        person->second.track_id = track;
    return person->second;
}

void SessionController::keepPerson(int track) {
    if (!writer_ || !pipeline_)
        return;  // people are told apart while a session runs; its store keeps them
    try {
        writer_->setPerson(personOf(track));
    } catch (const std::exception&) {  // the store's failure is said by checkWriter()
    }
}

void SessionController::leaveOutExcluded(FrameResult& result) {
    bool new_face = false;
    for (auto& face : result.faces) {
        if (face.track_id < 0)
            continue;
        if (!people_.contains(face.track_id)) {
            personOf(face.track_id);
            new_face = true;
        }
        if (isTrackExcluded(face.track_id))
            face.probabilities.clear();  // boxed, not read
    }
    if (new_face)
        emit peopleChanged();
}

void SessionController::findMoments(FrameResult& result) {
    if (!finder_)
        return;
    try {
        const auto update = finder_->add(result);
        for (std::size_t i = 0; i < result.faces.size() && i < update.tracks.size(); ++i)
            result.faces[i].track_id = update.tracks[i];
        deliverMoments(update);
    } catch (const std::exception& error) {  // a reading that does not fit the labels
        finder_.reset();
        emit keepingFailed(tr("Moments are no longer found: %1").arg(error.what()));
    }
}

void SessionController::deliverMoments(const LiveMomentFinder::Update& update) {
    for (const auto& ended : update.closed) {
        for (std::size_t i = 0; i < moments_.size(); ++i) {
            const auto& known = moments_[i].moment;
            if (known.track_id == ended.moment.track_id &&
                known.start_ms == ended.moment.start_ms) {
                moments_[i] = ended;
                keepMoment(ended);
                emit momentEnded(static_cast<int>(i), ended);
                break;
            }
        }
    }
    for (const auto& found : update.opened) {
        moments_.push_back(found);
        moment_marked_.push_back(false);
        keepMoment(found);
        emit momentFound(static_cast<int>(moments_.size()) - 1, found);
    }
}

void SessionController::keepMoment(const LiveMoment& moment) {
    if (!writer_)
        return;
    try {
        writer_->keepMoment(moment.moment, encodeThumbnail(moment.thumbnail));
    } catch (const std::exception&) {  // the store's failure is said by checkWriter()
    }
}

void SessionController::setMarkerLabel(int marker, const QString& label) {
    if (marker < 0 || marker >= markers_)
        return;
    const auto text = label.trimmed();
    if (writer_) {
        try {
            writer_->setMarkerLabel(marker, text.toStdString());
        } catch (const std::exception& error) {  // after the session: written at once
            emit keepingFailed(tr("The marker's label could not be kept: %1").arg(error.what()));
            return;
        }
    }
    emit markerLabelled(marker, text);
}

void SessionController::openWriter(const std::string& chosen_source, const SourceInfo& info) {
    writer_.reset();
    markers_ = 0;
    store_failure_.clear();
    keeping_failure_said_ = false;
    recording_failure_said_ = false;
    if (keeping_.store.empty())
        return;
    LiveSessionFacts facts;
    facts.source = chosen_source.empty() ? info.description : chosen_source;
    facts.label = label_.toStdString();
    facts.fps = info.fps;
    facts.width = info.width;
    facts.height = info.height;
    auto options = keeping_.options;
    options.record = record_;
    try {
        writer_ =
            std::make_unique<LiveSessionWriter>(keeping_.store, facts, keeping_.setup, options);
    } catch (const std::exception& error) {
        // The live view runs without the store: the therapist sees the overlay, and is told
        // (by checkWriter, once the session has started and the window shows it).
        store_failure_ = tr("Readings are not being kept: the session store %1 cannot be "
                            "opened (%2). The live view goes on.")
                             .arg(QString::fromStdString(keeping_.store.string()), error.what());
    }
}

void SessionController::checkSourcePaused() {
    const auto why =
        pipeline_ ? QString::fromStdString(pipeline_->sourcePausedBecause()) : QString();
    if (why == source_paused_)
        return;
    source_paused_ = why;
    emit sourcePaused(why);
}

void SessionController::checkWriter() {
    if (!store_failure_.isEmpty() && !keeping_failure_said_) {
        keeping_failure_said_ = true;
        emit keepingFailed(store_failure_);
    }
    if (!writer_)
        return;
    if (!keeping_failure_said_) {
        if (const auto failure = writer_->failure()) {
            keeping_failure_said_ = true;
            emit keepingFailed(tr("Readings are no longer being kept: %1. The live view goes on.")
                                   .arg(QString::fromStdString(*failure)));
        }
    }
    if (!recording_failure_said_) {
        if (const auto failure = writer_->recordingFailure()) {
            recording_failure_said_ = true;
            emit recordingFailed(tr("Not recording: %1.").arg(QString::fromStdString(*failure)));
            emit recordingChanged(false);
        }
    }
}

bool SessionController::start(std::unique_ptr<FrameSource> source,
                              const std::string& chosen_source) {
    stop();
    if (!source) {
        emit sessionFailed(tr("No frame source to start."));
        return false;
    }
    const auto session = ++session_;
    try {
        auto analyzer = std::make_unique<FrameAnalyzer>(
            detectors_(),
            classifier_ ? std::make_unique<BorrowedClassifier>(classifier_) : nullptr);
        const auto info = source->info();
        openWriter(chosen_source, info);
        PipelineCallbacks callbacks;
        // Called on the worker thread. `this` as the context makes the call run on the GUI
        // thread; stop() and the destructor join the worker before `this` can go away, and
        // before the writer is finished or replaced. The writer takes the raw reading (the
        // review smooths its own way) without waiting for the disk.
        callbacks.on_result = [this, session, writer = writer_.get()](FrameResult result) {
            if (writer)
                writer->add(result);
            QMetaObject::invokeMethod(
                this,
                [this, session, result = std::move(result)]() mutable {
                    deliverResult(session, std::move(result));
                },
                Qt::QueuedConnection);
        };
        callbacks.on_finished = [this, session](const std::string& error) {
            QMetaObject::invokeMethod(
                this, [this, session, error] { deliverFinished(session, error); },
                Qt::QueuedConnection);
        };
        const auto description = QString::fromStdString(source->info().description);
        pipeline_ =
            std::make_unique<Pipeline>(std::move(source), std::move(analyzer), std::move(callbacks),
                                       SlotPolicy::LatestWins, keeping_.options.tracks);
        meter_.reset();
        smoother_.reset();
        moments_.clear();
        moment_marked_.clear();
        // A new session's tracks are new people (nothing of the last one is written to it).
        const bool was_following = !followed_.empty();
        followed_.clear();
        people_.clear();
        if (was_following)
            emit followedTrackChanged(std::nullopt);
        emit peopleChanged();
        finder_ = classifier_ ? std::make_unique<LiveMomentFinder>(labels(), MomentOptions{},
                                                                   keeping_.options.tracks)
                              : nullptr;
        last_result_ms_ = 0.0;
        resting_faces_.clear();
        taking_rest_.reset();
        if (rest_from_first_seconds_ > 0.0 && classifier_)
            taking_rest_ = RestingFaceTaking{std::nullopt, 0.0, rest_from_first_seconds_, {}};
        pipeline_->start();
        figures_timer_.start();
        emit sessionStarted(description);
        if (taking_rest_)
            emit restingFaceStarted(taking_rest_->seconds);
        emit recordingChanged(isRecording());
        checkWriter();  // a store or a recording that could not start is said at once
        return true;
    } catch (const std::exception& error) {
        pipeline_.reset();
        if (writer_) {
            // Nothing ran: the session the writer opened holds no reading; it stays listed
            // (complete, empty) rather than being deleted behind the user's back.
            writer_->finish();
            writer_.reset();
        }
        emit sessionFailed(QString::fromStdString(error.what()));
        return false;
    }
}

void SessionController::stop() {
    if (pipeline_)
        endSession({});
}

void SessionController::setSmoothingSeconds(double seconds) {
    LiveSmoothingOptions options;
    options.seconds = seconds;
    smoother_ = LiveEmotionSmoother(options);
}

std::vector<std::string> SessionController::labels() const {
    return classifier_ ? classifier_->info().labels : std::vector<std::string>{};
}

LiveFigures SessionController::figures() const {
    auto figures = meter_.figures(SteadyClock::now());
    if (!pipeline_)
        figures.results_per_second = 0.0;  // a stopped session shows no rate
    return figures;
}

void SessionController::deliverResult(std::uint64_t session, FrameResult result) {
    if (session != session_ || !pipeline_)
        return;
    meter_.add(SteadyClock::now(), result.latency, result.dropped_frames);
    last_result_ms_ = result.timestamp_ms;
    findMoments(result);  // on the raw reading, as the stored readings review finds them in
    leaveOutExcluded(result);
    collectRestingFace(result);
    smoother_.smooth(result);
    showRelativeToRest(result);
    emit resultReady(result);
}

void SessionController::deliverFinished(std::uint64_t session, const std::string& error) {
    if (session != session_ || !pipeline_)
        return;
    endSession(QString::fromStdString(error));
}

void SessionController::endSession(const QString& error) {
    // The pipeline's destructor requests stop and joins both threads; each stops within a frame.
    // Then the writer commits what the worker handed it and closes the session (a camera that
    // disappeared ends it here too: kept up to its last frame).
    pipeline_.reset();
    figures_timer_.stop();
    checkSourcePaused();
    if (taking_rest_)
        finishRestingFace();  // with what the session gave; kept before the writer closes
    if (finder_) {
        LiveMomentFinder::Update ended;
        ended.closed = finder_->finish();
        finder_.reset();
        deliverMoments(ended);  // kept before the writer closes the session
    }
    std::optional<KeptSession> kept;
    if (writer_) {
        writer_->finish();
        checkWriter();
        KeptSession session;
        session.id = writer_->sessionId();
        session.frames = writer_->framesKept();
        session.markers = markers_;
        session.frames_recorded = writer_->framesRecorded();
        if (session.frames_recorded > 0)
            session.recording = writer_->recordingPath();
        if (const auto failure = writer_->failure())
            session.problem = QString::fromStdString(*failure);
        else if (const auto recording = writer_->recordingFailure())
            session.problem = QString::fromStdString(*recording);
        kept = session;
    }
    emit figuresChanged(figures());
    emit recordingChanged(false);
    emit sessionFinished(error);
    if (kept)
        emit sessionKept(*kept);
}

}  // namespace emotrace::ui
