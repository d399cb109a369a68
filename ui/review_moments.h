// The review workspace's "Moments" tab: the open session's moments, computed from its stored
// readings with the live rule (so an old session gets them too), in time order with the face at
// each peak. A click jumps the player to the moment; the reviewer accepts one as a marker or
// dismisses it (kept in the store, and shown greyed); the sensitivity can be changed and the
// list follows.
#pragma once

#include <vector>

#include <QWidget>

#include "emotrace/moments.h"

class QComboBox;
class QLabel;
class QPushButton;

namespace emotrace::ui {

class MomentList;

class MomentPanel : public QWidget {
    Q_OBJECT
  public:
    explicit MomentPanel(QWidget* parent = nullptr);

    // The list anew; states: "", "marker" or "dismissed" per moment.
    void setMoments(const std::vector<Moment>& moments, const std::vector<std::string>& labels,
                    const std::vector<QString>& states);
    void setThumbnail(int number, const QImage& thumbnail);
    void setState(int number, const QString& state);
    void setSensitivity(MomentSensitivity sensitivity);
    MomentSensitivity sensitivity() const;
    void setNote(const QString& note);  // why the list is empty (no model, no session)

    MomentList* list() const { return list_; }

    // For tests: what the buttons do.
    void acceptSelected();
    void dismissOrRestoreSelected();

  signals:
    void sensitivityChanged(emotrace::MomentSensitivity sensitivity);
    void seekRequested(double seconds);
    void acceptRequested(int number);
    void dismissRequested(int number);
    void restoreRequested(int number);

  private:
    void updateButtons();
    void updateCount();

    QComboBox* sensitivity_;
    QLabel* count_;
    MomentList* list_;
    QPushButton* accept_;
    QPushButton* dismiss_;
};

}  // namespace emotrace::ui
