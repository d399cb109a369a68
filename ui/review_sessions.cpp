#include "review_sessions.h"

#include <filesystem>

#include <QHeaderView>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "review_markers.h"

namespace emotrace::ui {

SessionListPanel::SessionListPanel(QWidget* parent) : QWidget(parent), list_(new QTreeWidget) {
    list_->setHeaderLabels({tr("Recording"), tr("Analysed (UTC)"), tr("State"), tr("Length"),
                            tr("Kind"), tr("Label"), tr("Frames")});
    list_->setRootIsDecorated(false);
    list_->header()->setStretchLastSection(false);
    list_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    list_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    list_->setToolTip(tr("Double-click a session to reopen it"));
    auto* refresh = new QPushButton(tr("Refresh"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(list_, 1);
    layout->addWidget(refresh, 0, Qt::AlignRight);
    connect(refresh, &QPushButton::clicked, this, &SessionListPanel::refreshRequested);
    connect(list_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item, int) {
        emit openRequested(item->data(0, Qt::UserRole).toLongLong());
    });
}

void SessionListPanel::setSessions(const std::vector<SessionInfo>& sessions) {
    list_->clear();
    for (const auto& session : sessions) {
        auto* item = new QTreeWidgetItem(list_);
        const auto& recording = session.recording;
        item->setText(
            0, QString::fromStdString(std::filesystem::path(recording.path).filename().string()));
        item->setToolTip(0, QString::fromStdString(recording.path));
        // "2026-11-25 19:52" reads faster than ISO 8601; the tooltip keeps the exact time.
        item->setText(1,
                      QString::fromStdString(session.created_utc.substr(0, 16)).replace('T', ' '));
        item->setToolTip(1, QString::fromStdString(session.created_utc));
        item->setText(2, QString::fromStdString(toString(session.state)));
        item->setText(3, formatSessionTime(sessionDurationSeconds(session)));
        item->setText(4, QString::fromStdString(toString(session.kind)));
        item->setText(5, QString::fromStdString(session.label));
        item->setText(6, QString::number(session.frames_stored));
        if (session.kind == SessionKind::Live) {
            item->setText(0, tr("live: %1").arg(QString::fromStdString(session.source)));
            item->setToolTip(0, QString::fromStdString(session.source));
            const auto started =
                session.started_utc.empty() ? session.created_utc : session.started_utc;
            item->setText(1, QString::fromStdString(started.substr(0, 16)).replace('T', ' '));
        }
        item->setData(0, Qt::UserRole, QVariant::fromValue<qlonglong>(session.id));
    }
}

}  // namespace emotrace::ui
