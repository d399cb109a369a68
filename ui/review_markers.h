// The list of a session's markers and excluded ranges beside the review player: double-click
// jumps the video there, label and note are edited in place, and a marker can be turned into an
// exclusion or deleted. The panel holds no data of its own: every edit goes out as a signal and
// the workspace writes it to the session store, then hands the stored list back.
#pragma once

#include <vector>

#include <QWidget>

#include "emotrace/session_store.h"

class QTreeWidget;
class QTreeWidgetItem;
class QPushButton;

namespace emotrace::ui {

// "12:03.4", or "1:02:03.4" past an hour: how the panel and the report show session times.
QString formatSessionTime(double seconds);

class MarkerPanel : public QWidget {
    Q_OBJECT
  public:
    explicit MarkerPanel(QWidget* parent = nullptr);

    void setMarkers(const std::vector<Marker>& markers);
    // Selects the marker and opens its label for typing (after the M hotkey).
    void editLabel(std::int64_t marker_id);
    QTreeWidget* list() const { return list_; }

  signals:
    void jumpRequested(double seconds);
    void markerEdited(const emotrace::Marker& marker);
    void markerRemoved(std::int64_t marker_id);

  private:
    void onItemChanged(QTreeWidgetItem* item, int column);
    void removeSelected();
    const Marker* markerOf(const QTreeWidgetItem* item) const;

    QTreeWidget* list_;
    QPushButton* remove_button_;
    std::vector<Marker> markers_;
    bool filling_ = false;  // itemChanged fires while the list is rebuilt: not the user's edit
};

}  // namespace emotrace::ui
