#include "review_markers.h"

#include <cmath>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace emotrace::ui {
namespace {

enum Column { kTime, kLabel, kNote, kExcluded, kColumns };
constexpr int kIdRole = Qt::UserRole;

}  // namespace

QString formatSessionTime(double seconds) {
    const double clamped = std::max(0.0, seconds);
    const auto whole = static_cast<long long>(std::floor(clamped));
    const int tenths = static_cast<int>(std::floor((clamped - static_cast<double>(whole)) * 10.0));
    const long long hours = whole / 3600;
    const long long minutes = (whole / 60) % 60;
    const long long secs = whole % 60;
    if (hours > 0) {
        return QStringLiteral("%1:%2:%3.%4")
            .arg(hours)
            .arg(minutes, 2, 10, QLatin1Char('0'))
            .arg(secs, 2, 10, QLatin1Char('0'))
            .arg(tenths);
    }
    return QStringLiteral("%1:%2.%3").arg(minutes).arg(secs, 2, 10, QLatin1Char('0')).arg(tenths);
}

MarkerPanel::MarkerPanel(QWidget* parent)
    : QWidget(parent), list_(new QTreeWidget), remove_button_(new QPushButton(tr("Delete"))) {
    list_->setColumnCount(kColumns);
    list_->setHeaderLabels({tr("Time"), tr("Label"), tr("Note"), tr("Excluded")});
    list_->setRootIsDecorated(false);
    list_->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::SelectedClicked);
    // The note takes the room that is left and wraps; the other columns fit their contents.
    list_->header()->setStretchLastSection(false);
    list_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    list_->header()->setSectionResizeMode(kNote, QHeaderView::Stretch);
    list_->setWordWrap(true);
    list_->setToolTip(
        tr("Double-click a time to jump there; click a selected label or note "
           "(or press F2) to edit it"));

    auto* hint =
        new QLabel(tr("<b>M</b> adds a marker at the current time, <b>E</b> starts and "
                      "ends a range left out of the statistics."));
    hint->setWordWrap(true);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(remove_button_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(hint);
    layout->addWidget(list_, 1);
    layout->addLayout(buttons);

    connect(list_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item, int col) {
        const Marker* marker = markerOf(item);
        if (marker && (col == kTime || col == kExcluded))
            emit jumpRequested(marker->start_ms / 1000.0);
        else if (marker)
            list_->editItem(item, col);
    });
    connect(list_, &QTreeWidget::itemChanged, this, &MarkerPanel::onItemChanged);
    connect(remove_button_, &QPushButton::clicked, this, &MarkerPanel::removeSelected);
}

void MarkerPanel::setMarkers(const std::vector<Marker>& markers) {
    filling_ = true;
    markers_ = markers;
    list_->clear();
    for (const auto& marker : markers_) {
        auto* item = new QTreeWidgetItem(list_);
        QString time = formatSessionTime(marker.start_ms / 1000.0);
        if (marker.end_ms > marker.start_ms)
            time += QStringLiteral(" – ") + formatSessionTime(marker.end_ms / 1000.0);
        item->setText(kTime, time);
        item->setText(kLabel, QString::fromStdString(marker.label));
        item->setText(kNote, QString::fromStdString(marker.note));
        item->setToolTip(kNote, QString::fromStdString(marker.note));
        item->setCheckState(kExcluded, marker.exclude ? Qt::Checked : Qt::Unchecked);
        item->setData(kTime, kIdRole, QVariant::fromValue<qlonglong>(marker.id));
        item->setFlags(item->flags() | Qt::ItemIsEditable | Qt::ItemIsUserCheckable);
    }
    filling_ = false;
    remove_button_->setEnabled(!markers_.empty());
}

void MarkerPanel::editLabel(std::int64_t marker_id) {
    for (int i = 0; i < list_->topLevelItemCount(); ++i) {
        auto* item = list_->topLevelItem(i);
        if (item->data(kTime, kIdRole).toLongLong() == marker_id) {
            list_->setCurrentItem(item, kLabel);
            list_->editItem(item, kLabel);
            return;
        }
    }
}

const Marker* MarkerPanel::markerOf(const QTreeWidgetItem* item) const {
    if (!item)
        return nullptr;
    const auto id = item->data(kTime, kIdRole).toLongLong();
    for (const auto& marker : markers_) {
        if (marker.id == id)
            return &marker;
    }
    return nullptr;
}

void MarkerPanel::onItemChanged(QTreeWidgetItem* item, int column) {
    const Marker* stored = markerOf(item);
    if (filling_ || !stored || column == kTime)
        return;
    Marker edited = *stored;
    edited.label = item->text(kLabel).trimmed().toStdString();
    edited.note = item->text(kNote).trimmed().toStdString();
    edited.exclude = item->checkState(kExcluded) == Qt::Checked;
    if (edited.label != stored->label || edited.note != stored->note ||
        edited.exclude != stored->exclude) {
        emit markerEdited(edited);
    }
}

void MarkerPanel::removeSelected() {
    const Marker* marker = markerOf(list_->currentItem());
    if (marker)
        emit markerRemoved(marker->id);
}

}  // namespace emotrace::ui
