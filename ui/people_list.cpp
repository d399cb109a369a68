#include "people_list.h"

#include <algorithm>

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace emotrace::ui {

PeopleList::PeopleList(QWidget* parent)
    : QWidget(parent), table_(new QTableWidget(0, 4)), empty_(new QLabel) {
    table_->setHorizontalHeaderLabels({tr("Face"), tr("Name"), tr("Follow"), tr("Leave out")});
    table_->horizontalHeaderItem(kName)->setToolTip(
        tr("A short name, e.g. client or therapist: double-click to type it"));
    table_->horizontalHeaderItem(kFollow)->setToolTip(
        tr("The timeline follows this person (several: one timeline each)"));
    table_->horizontalHeaderItem(kLeaveOut)->setToolTip(
        tr("Not read, followed or kept: the therapist's own self-view"));
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(kName, QHeaderView::Stretch);
    for (int column : {kFace, kFollow, kLeaveOut})
        table_->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                            QAbstractItemView::SelectedClicked);
    empty_->setText(tr("Faces appear here as they are found."));
    empty_->setWordWrap(true);
    empty_->setStyleSheet(QStringLiteral("color: #666;"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(table_);
    layout->addWidget(empty_);
    table_->hide();
    connect(table_, &QTableWidget::cellChanged, this, &PeopleList::onItemChanged);
}

int PeopleList::count() const {
    return table_->rowCount();
}

int PeopleList::rowOf(int track) const {
    for (int row = 0; row < table_->rowCount(); ++row) {
        if (table_->item(row, kFace)->data(Qt::UserRole).toInt() == track)
            return row;
    }
    return -1;
}

void PeopleList::setPeople(const std::vector<Person>& people) {
    updating_ = true;
    for (int row = table_->rowCount() - 1; row >= 0; --row) {
        const int track = table_->item(row, kFace)->data(Qt::UserRole).toInt();
        if (std::none_of(people.begin(), people.end(),
                         [track](const Person& p) { return p.track_id == track; }))
            table_->removeRow(row);
    }
    for (const auto& person : people) {
        int row = rowOf(person.track_id);
        if (row < 0) {
            row = table_->rowCount();
            table_->insertRow(row);
            auto* face = new QTableWidgetItem(QStringLiteral("#%1").arg(person.track_id));
            face->setData(Qt::UserRole, person.track_id);
            face->setFlags(Qt::ItemIsEnabled);
            table_->setItem(row, kFace, face);
            table_->setItem(row, kName, new QTableWidgetItem);
            for (int column : {kFollow, kLeaveOut}) {
                auto* box = new QTableWidgetItem;
                box->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
                table_->setItem(row, column, box);
            }
        }
        auto* name = table_->item(row, kName);
        // Set only when it changed: a name being typed stays the editor's until committed.
        if (name->text() != QString::fromStdString(person.name))
            name->setText(QString::fromStdString(person.name));
        table_->item(row, kFollow)->setCheckState(person.followed ? Qt::Checked : Qt::Unchecked);
        table_->item(row, kLeaveOut)->setCheckState(person.excluded ? Qt::Checked : Qt::Unchecked);
        const QColor text = person.excluded ? QColor(140, 140, 140) : palette().text().color();
        table_->item(row, kFace)->setForeground(text);
        name->setForeground(text);
    }
    table_->setVisible(!people.empty());
    empty_->setVisible(people.empty());
    updating_ = false;
}

void PeopleList::onItemChanged(int row, int column) {
    if (updating_)
        return;
    const int track = table_->item(row, kFace)->data(Qt::UserRole).toInt();
    const auto* item = table_->item(row, column);
    switch (column) {
        case kName:
            emit nameEdited(track, item->text().trimmed());
            break;
        case kFollow:
            emit followToggled(track, item->checkState() == Qt::Checked);
            break;
        case kLeaveOut:
            emit leaveOutToggled(track, item->checkState() == Qt::Checked);
            break;
        default:
            break;
    }
}

}  // namespace emotrace::ui
