// The stored sessions, newest first, for reopening one without re-analysis: recording name,
// when it was analysed, its state and how many frames are stored. Double-click opens.
#pragma once

#include <cstdint>
#include <vector>

#include <QWidget>

#include "emotrace/session_store.h"

class QTreeWidget;

namespace emotrace::ui {

class SessionListPanel : public QWidget {
    Q_OBJECT
  public:
    explicit SessionListPanel(QWidget* parent = nullptr);

    void setSessions(const std::vector<SessionInfo>& sessions);
    QTreeWidget* list() const { return list_; }

  signals:
    void openRequested(std::int64_t session_id);
    void refreshRequested();

  private:
    QTreeWidget* list_;
};

}  // namespace emotrace::ui
