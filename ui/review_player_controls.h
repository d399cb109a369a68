// The transport under the review video: one frame back, play/pause, one frame forward, the
// position slider, the time on show out of the recording's length, and the playback speed. It
// drives a RecordingPlayer and follows it, whoever else seeks it (the timeline, a marker).
#pragma once

#include <cstdint>

#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace emotrace::ui {

class RecordingPlayer;

class PlayerControls : public QWidget {
    Q_OBJECT
  public:
    explicit PlayerControls(RecordingPlayer& player, QWidget* parent = nullptr);

    QSlider* position() const { return position_; }
    QComboBox* speed() const { return speed_; }

  private:
    void showPosition(std::int64_t frame, double seconds);

    RecordingPlayer& player_;
    QToolButton* play_;
    QSlider* position_;
    QLabel* time_;
    QComboBox* speed_;
};

}  // namespace emotrace::ui
