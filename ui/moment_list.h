// A list of moments, each a row with the face at its peak, the time, the emotion and its peak
// probability. Live (the dashboard's rail) the newest is on top and quietly tinted for a few
// seconds, so a therapist can catch it from the corner of an eye: no sound, no pop-up. In
// review the list is in time order. A click emits momentClicked; what it does (a marker, a
// seek) is the owner's.
#pragma once

#include <string>
#include <vector>

#include <QImage>
#include <QTimer>
#include <QWidget>

#include "emotrace/moments.h"

class QLabel;
class QListWidget;
class QListWidgetItem;

namespace emotrace::ui {

class MomentList : public QWidget {
    Q_OBJECT
  public:
    enum class Order { NewestFirst, ByTime };
    explicit MomentList(Order order, QWidget* parent = nullptr);

    void setLabels(const std::vector<std::string>& labels);
    void clear();
    // Returns the moment's number (0, 1, ... in the order added).
    int addMoment(const Moment& moment, const QImage& thumbnail);
    // The same moment later (it ended; its peak may have grown).
    void updateMoment(int number, const Moment& moment, const QImage& thumbnail);
    // A word shown after the moment ("marker", "dismissed"); empty: none. Dismissed rows are
    // greyed.
    void setMomentState(int number, const QString& state);
    void setEmptyText(const QString& text);

    int count() const { return static_cast<int>(moments_.size()); }
    const Moment& moment(int number) const { return moments_.at(static_cast<std::size_t>(number)); }
    QString rowText(int number) const;
    QString momentState(int number) const;
    QImage thumbnail(int number) const;  // null when none was given
    // The moment selected in the list; -1: none.
    int selectedMoment() const;
    bool isHighlighted(int number) const;

  signals:
    void momentClicked(int number);
    void selectionChanged(int number);

  private:
    QListWidgetItem* itemOf(int number) const;
    void refresh(int number);

    Order order_;
    std::vector<std::string> labels_;
    std::vector<Moment> moments_;
    std::vector<QString> states_;
    std::vector<QImage> thumbnails_;
    std::vector<QListWidgetItem*> items_;  // owned by list_
    QLabel* empty_ = nullptr;
    QListWidget* list_ = nullptr;
    int highlighted_ = -1;
    QTimer highlight_timer_;
};

}  // namespace emotrace::ui
