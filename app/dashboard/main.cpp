// emotrace: the live dashboard. Parses the command line into DashboardOptions, loads the model
// and wires SessionController, MainWindow and the chosen source together, and opens the review
// workspace for recorded sessions (--review or the toolbar); the work lives in core and ui.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include <QApplication>
#include <QFile>
#include <QSettings>
#include <QTimer>
#include <opencv2/core/utility.hpp>

#include "dashboard_options.h"
#include "emotrace/emotion_classifier.h"
#include "emotrace/error.h"
#include "emotrace/face_detector.h"
#include "emotrace/session_store.h"
#include "main_window.h"
#include "review_analysis.h"
#include "review_player.h"
#include "review_workspace.h"
#include "session_controller.h"

namespace {

using emotrace::dashboard::DashboardOptions;

struct LoadedModel {
    std::unique_ptr<emotrace::EmotionClassifier> classifier;
    QString error;  // why --model could not be used; the dashboard then runs without emotions
};

LoadedModel loadModel(const DashboardOptions& options) {
    LoadedModel model;
    if (options.model.empty()) {
        // Said on the terminal as well as in the window, for a demo started from a script.
        std::cerr << "emotrace: no emotion model (--no-model, or no --model and no shipped "
                     "model at "
                  << emotrace::defaultEmotionModelPath().string()
                  << "): faces are found and boxed, emotions are not shown. See README, "
                     "'The model'.\n";
        return model;
    }
    try {
        model.classifier = emotrace::loadEmotionClassifier(options.model);
    } catch (const std::exception& error) {
        model.error = QString::fromStdString(error.what());
        std::cerr << "emotrace: " << error.what() << '\n';
    }
    return model;
}

emotrace::ui::ReviewSetup reviewSetup(const DashboardOptions& options) {
    emotrace::ui::ReviewSetup setup;
    setup.store_path = options.store.empty() ? emotrace::defaultStorePath() : options.store;
    setup.model_path = options.model;
    setup.detector = options.detector;
    if (!options.model.empty()) {
        // A model of its own: the analysis thread classifies while the live session may too.
        setup.load_classifier = [model = options.model] {
            return emotrace::loadEmotionClassifier(model);
        };
    }
    return setup;
}

// Live sessions go to the same store as the review's, described by the model and detector
// they are read with.
emotrace::ui::SessionKeeping sessionKeeping(const DashboardOptions& options,
                                            const emotrace::ModelInfo* model) {
    emotrace::ui::SessionKeeping keeping;
    if (!options.keep)
        return keeping;
    keeping.store = options.store.empty() ? emotrace::defaultStorePath() : options.store;
    keeping.setup = emotrace::ui::describeSetup(model ? options.model : std::filesystem::path(),
                                                model, options.detector, 1);
    return keeping;
}

// The marker labels offered in the dashboard: the user's list, kept in emotrace's settings
// (~/.config/emotrace/emotrace.conf; labels, no session data).
const QStringList kDefaultMarkerLabels = {
    QStringLiteral("tearful"), QStringLiteral("laughed"), QStringLiteral("avoided the topic"),
    QStringLiteral("topic change"), QStringLiteral("look at later")};

// --screenshot/--quit-after: grab the window to a PNG after the delay, then quit. Exits with 1
// when the PNG cannot be written, so a docs script notices.
void scheduleScreenshotAndQuit(const DashboardOptions& options, QWidget& window,
                               emotrace::ui::SessionController& controller, int& exit_code) {
    if (options.quit_after_seconds <= 0.0)
        return;
    const auto delay_ms = static_cast<int>(options.quit_after_seconds * 1000.0);
    QTimer::singleShot(delay_ms, &window, [&options, &window, &controller, &exit_code] {
        if (!options.screenshot.empty()) {
            const auto path = QString::fromStdString(options.screenshot.string());
            if (!window.grab().save(path, "PNG")) {
                std::cerr << "emotrace: cannot write the screenshot " << options.screenshot
                          << " (missing folder or no permission?)\n";
                exit_code = 1;
            }
        }
        controller.stop();
        QApplication::quit();
    });
}

}  // namespace

int main(int argc, char* argv[]) {
    DashboardOptions options;
    try {
        options = emotrace::dashboard::parseDashboardOptions(argc, argv);
    } catch (const emotrace::Error& error) {
        std::cerr << "emotrace: " << error.what() << "\nTry 'emotrace --help'.\n";
        return 2;
    }
    if (options.help) {
        std::cout << emotrace::dashboard::usage();
        return 0;
    }
    if (options.version) {
        std::cout << "emotrace " << EMOTRACE_VERSION << '\n';
        return 0;
    }
    if (options.default_model) {
        // The shipped model when this checkout or install has it; without one the dashboard
        // still finds and boxes faces, and says how to get a model.
        const auto shipped = emotrace::defaultEmotionModelPath();
        if (std::error_code error; std::filesystem::is_regular_file(shipped, error))
            options.model = shipped;
    }
    if (options.threads > 0) {
        emotrace::setInferenceThreads(options.threads);
        cv::setNumThreads(options.threads);
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("emotrace"));
    QApplication::setOrganizationName(QStringLiteral("emotrace"));
    auto model = loadModel(options);
    std::optional<emotrace::ModelInfo> model_info;
    if (model.classifier)
        model_info = model.classifier->info();
    emotrace::ui::SessionController controller(
        [detector = options.detector] { return emotrace::createFaceDetector(detector); },
        std::move(model.classifier));
    controller.setSmoothingSeconds(options.smoothing_seconds);
    controller.setRestingFaceFromFirstSeconds(options.resting_face_first_seconds);
    controller.setKeeping(sessionKeeping(options, model_info ? &*model_info : nullptr));
    emotrace::ui::MainWindow window(controller);
    if (!model.error.isEmpty())
        window.setModelLoadError(model.error);
    QSettings settings;
    // What was chosen last time, then the command line over it.
    window.restoreSettings(settings);
    if (options.smoothing_given)
        window.setSmoothingSeconds(options.smoothing_seconds);
    window.setLooping(options.loop);
    window.setRecordingWanted(options.record);
    window.setSessionLabel(QString::fromStdString(options.label));
    // --person: applied once to each face when it is first seen in a session.
    std::vector<bool> person_applied(options.people.size(), false);
    QObject::connect(
        &controller, &emotrace::ui::SessionController::sessionStarted, &window,
        [&person_applied] { std::fill(person_applied.begin(), person_applied.end(), false); });
    QObject::connect(
        &controller, &emotrace::ui::SessionController::peopleChanged, &window,
        [&controller, &options, &person_applied] {
            const auto seen = controller.tracksSeen();
            for (std::size_t i = 0; i < options.people.size(); ++i) {
                const auto& person = options.people[i];
                if (person_applied[i] ||
                    std::find(seen.begin(), seen.end(), person.track) == seen.end())
                    continue;
                person_applied[i] = true;  // first: each call below says peopleChanged again
                controller.setPersonName(person.track, QString::fromStdString(person.name));
                if (person.leave_out)
                    controller.setTrackExcluded(person.track, true);
                if (person.follow)
                    controller.setTrackFollowed(person.track, true);
            }
        });
    QObject::connect(&app, &QApplication::aboutToQuit, &window, [&window, &settings] {
        window.saveSettings(settings);
        settings.sync();
        // It names the call window and a video file: the user's own.
        QFile::setPermissions(settings.fileName(),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    });
    window.setMarkerLabels(
        settings.value(QStringLiteral("markerLabels"), kDefaultMarkerLabels).toStringList());
    QObject::connect(&window, &emotrace::ui::MainWindow::markerLabelsChanged, &window,
                     [&settings](const QStringList& labels) {
                         settings.setValue(QStringLiteral("markerLabels"), labels);
                     });
    std::unique_ptr<emotrace::ui::ReviewWorkspace> review;
    const auto open_review = [&]() -> emotrace::ui::ReviewWorkspace& {
        if (!review)
            review = std::make_unique<emotrace::ui::ReviewWorkspace>(reviewSetup(options));
        review->show();
        review->raise();
        return *review;
    };
    QObject::connect(&window, &emotrace::ui::MainWindow::reviewRequested, &window,
                     [&open_review] { open_review(); });
    QObject::connect(&window, &emotrace::ui::MainWindow::reviewSessionRequested, &window,
                     [&open_review](std::int64_t id) { open_review().openSession(id); });
    if (!options.review.empty() || options.review_session > 0) {
        auto& workspace = open_review();
        QTimer::singleShot(0, &workspace, [&workspace, &options] {
            const bool opened = options.review_session > 0
                                    ? workspace.openSession(options.review_session)
                                    : workspace.openRecording(options.review);
            if (opened && options.review_at_seconds > 0.0 && workspace.player()->isOpen())
                workspace.player()->seekToSeconds(options.review_at_seconds);
            if (!options.review_tab.empty())
                workspace.showSideTab(QString::fromStdString(options.review_tab));
        });
    } else {
        window.show();
    }
    if (options.source) {
        window.setSourceSpec(*options.source);
        // Once the event loop runs, so the window is on screen before a camera takes its time.
        QTimer::singleShot(0, &window, [&window] { window.startSession(); });
    }
    int exit_code = 0;
    QWidget& shown = review ? static_cast<QWidget&>(*review) : static_cast<QWidget&>(window);
    scheduleScreenshotAndQuit(options, shown, controller, exit_code);
    const int app_code = QApplication::exec();
    return exit_code != 0 ? exit_code : app_code;
}
