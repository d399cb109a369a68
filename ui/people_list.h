// The people of a live session, one row per face the tracker has seen: its number, a short name
// the therapist can type ("client", "therapist"), whether the timeline follows them and whether
// they are left out (the therapist's own self-view). One click on a check box follows or leaves
// out; the name is edited in place. What a change does is the owner's (SessionController).
#pragma once

#include <vector>

#include <QWidget>

#include "emotrace/session_store.h"

class QTableWidget;
class QLabel;

namespace emotrace::ui {

class PeopleList : public QWidget {
    Q_OBJECT
  public:
    explicit PeopleList(QWidget* parent = nullptr);

    // Every person of the session, by track; rows are updated in place, so a name being typed
    // is not lost when a new face appears.
    void setPeople(const std::vector<Person>& people);
    int count() const;
    int rowOf(int track) const;  // -1: not listed
    QTableWidget* table() const { return table_; }

    enum Column { kFace = 0, kName, kFollow, kLeaveOut };

  signals:
    void nameEdited(int track, const QString& name);
    void followToggled(int track, bool followed);
    void leaveOutToggled(int track, bool excluded);

  private:
    void onItemChanged(int row, int column);

    QTableWidget* table_;
    QLabel* empty_;
    bool updating_ = false;
};

}  // namespace emotrace::ui
