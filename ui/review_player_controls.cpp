#include "review_player_controls.h"

#include <algorithm>
#include <array>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolButton>

#include "review_markers.h"
#include "review_player.h"

namespace emotrace::ui {
namespace {

constexpr std::array<double, 7> kSpeeds{0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0};
constexpr int kNormalSpeedIndex = 2;

}  // namespace

PlayerControls::PlayerControls(RecordingPlayer& player, QWidget* parent)
    : QWidget(parent),
      player_(player),
      play_(new QToolButton),
      position_(new QSlider(Qt::Horizontal)),
      time_(new QLabel(formatSessionTime(0.0))),
      speed_(new QComboBox) {
    const auto button = [this](QToolButton* b, QStyle::StandardPixmap icon, const QString& tip) {
        b->setIcon(style()->standardIcon(icon));
        b->setToolTip(tip);
        return b;
    };
    auto* back = button(new QToolButton, QStyle::SP_MediaSeekBackward, tr("One frame back (,)"));
    button(play_, QStyle::SP_MediaPlay, tr("Play / pause (Space)"));
    auto* forward =
        button(new QToolButton, QStyle::SP_MediaSeekForward, tr("One frame forward (.)"));
    time_->setMinimumWidth(150);
    for (const double speed : kSpeeds)
        speed_->addItem(QStringLiteral("%1x").arg(speed), speed);
    speed_->setCurrentIndex(kNormalSpeedIndex);
    speed_->setToolTip(tr("Playback speed"));

    connect(play_, &QToolButton::clicked, &player_, &RecordingPlayer::togglePlay);
    connect(back, &QToolButton::clicked, &player_, &RecordingPlayer::stepBack);
    connect(forward, &QToolButton::clicked, &player_, &RecordingPlayer::stepForward);
    // valueChanged rather than sliderMoved: a click on the groove pages the slider too.
    connect(position_, &QSlider::valueChanged, &player_,
            [this](int frame) { player_.seekToFrame(frame); });
    connect(speed_, &QComboBox::currentIndexChanged, this,
            [this] { player_.setSpeed(speed_->currentData().toDouble()); });
    connect(&player_, &RecordingPlayer::frameShown, this,
            [this](std::int64_t frame, double seconds) { showPosition(frame, seconds); });
    connect(&player_, &RecordingPlayer::playingChanged, this, [this](bool playing) {
        play_->setIcon(
            style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    });

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    for (auto* widget : std::initializer_list<QWidget*>{back, play_, forward})
        layout->addWidget(widget);
    layout->addWidget(position_, 1);
    layout->addWidget(time_);
    layout->addWidget(speed_);
}

void PlayerControls::showPosition(std::int64_t frame, double seconds) {
    // The player's own seek must not come back as the user's.
    const QSignalBlocker quiet(position_);
    position_->setRange(0, static_cast<int>(std::max<std::int64_t>(0, player_.frameCount() - 1)));
    position_->setValue(static_cast<int>(frame));
    time_->setText(QStringLiteral("%1 / %2")
                       .arg(formatSessionTime(seconds))
                       .arg(formatSessionTime(player_.durationSeconds())));
}

}  // namespace emotrace::ui
