#include "moment_list.h"

#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

#include "emotion_palette.h"
#include "review_markers.h"

namespace emotrace::ui {

namespace {

constexpr int kNumberRole = Qt::UserRole;
constexpr int kThumbnailSize = 64;
// Long enough to be caught from the corner of an eye, short enough not to nag.
constexpr int kHighlightMs = 6000;

}  // namespace

MomentList::MomentList(Order order, QWidget* parent)
    : QWidget(parent), order_(order), empty_(new QLabel), list_(new QListWidget) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    empty_->setWordWrap(true);
    empty_->setStyleSheet(QStringLiteral("color: #666; padding: 4px;"));
    list_->setObjectName(QStringLiteral("momentList"));
    list_->setIconSize(QSize(kThumbnailSize, kThumbnailSize));
    list_->setSpacing(2);
    list_->setUniformItemSizes(true);
    list_->setSelectionMode(QAbstractItemView::SingleSelection);
    layout->addWidget(empty_);
    layout->addWidget(list_, 1);
    setEmptyText(tr("No moments yet."));
    highlight_timer_.setSingleShot(true);
    highlight_timer_.setInterval(kHighlightMs);
    connect(&highlight_timer_, &QTimer::timeout, this, [this] {
        const int was = highlighted_;
        highlighted_ = -1;
        if (was >= 0)
            refresh(was);
    });
    connect(list_, &QListWidget::itemClicked, this,
            [this](QListWidgetItem* item) { emit momentClicked(item->data(kNumberRole).toInt()); });
    connect(list_, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        emit selectionChanged(item ? item->data(kNumberRole).toInt() : -1);
    });
}

void MomentList::setLabels(const std::vector<std::string>& labels) {
    labels_ = labels;
}

void MomentList::setEmptyText(const QString& text) {
    empty_->setText(text);
    empty_->setVisible(moments_.empty());
}

void MomentList::clear() {
    list_->clear();
    moments_.clear();
    states_.clear();
    thumbnails_.clear();
    items_.clear();
    highlighted_ = -1;
    highlight_timer_.stop();
    empty_->setVisible(true);
}

int MomentList::addMoment(const Moment& moment, const QImage& thumbnail) {
    const int number = count();
    moments_.push_back(moment);
    states_.emplace_back();
    thumbnails_.push_back(thumbnail);
    auto* item = new QListWidgetItem;
    item->setData(kNumberRole, number);
    if (!thumbnail.isNull()) {
        item->setIcon(QIcon(QPixmap::fromImage(thumbnail.scaled(
            kThumbnailSize, kThumbnailSize, Qt::KeepAspectRatio, Qt::SmoothTransformation))));
    }
    if (order_ == Order::NewestFirst) {
        list_->insertItem(0, item);
    } else {
        int row = 0;
        while (row < list_->count() &&
               moments_[static_cast<std::size_t>(list_->item(row)->data(kNumberRole).toInt())]
                       .start_ms <= moment.start_ms)
            ++row;
        list_->insertItem(row, item);
    }
    items_.push_back(item);
    empty_->setVisible(false);
    if (order_ == Order::NewestFirst) {
        const int was = highlighted_;
        highlighted_ = number;
        if (was >= 0)
            refresh(was);
        highlight_timer_.start();
    }
    refresh(number);
    return number;
}

void MomentList::updateMoment(int number, const Moment& moment, const QImage& thumbnail) {
    if (number < 0 || number >= count())
        return;
    moments_[static_cast<std::size_t>(number)] = moment;
    if (!thumbnail.isNull()) {
        thumbnails_[static_cast<std::size_t>(number)] = thumbnail;
        itemOf(number)->setIcon(QIcon(QPixmap::fromImage(thumbnail.scaled(
            kThumbnailSize, kThumbnailSize, Qt::KeepAspectRatio, Qt::SmoothTransformation))));
    }
    refresh(number);
}

void MomentList::setMomentState(int number, const QString& state) {
    if (number < 0 || number >= count())
        return;
    states_[static_cast<std::size_t>(number)] = state;
    refresh(number);
}

QString MomentList::rowText(int number) const {
    const auto* item = itemOf(number);
    return item ? item->text() : QString();
}

QString MomentList::momentState(int number) const {
    return number >= 0 && number < count() ? states_[static_cast<std::size_t>(number)] : QString();
}

QImage MomentList::thumbnail(int number) const {
    return number >= 0 && number < count() ? thumbnails_[static_cast<std::size_t>(number)]
                                           : QImage();
}

int MomentList::selectedMoment() const {
    const auto* item = list_->currentItem();
    return item ? item->data(kNumberRole).toInt() : -1;
}

bool MomentList::isHighlighted(int number) const {
    return number >= 0 && number == highlighted_;
}

QListWidgetItem* MomentList::itemOf(int number) const {
    return number >= 0 && number < count() ? items_[static_cast<std::size_t>(number)] : nullptr;
}

void MomentList::refresh(int number) {
    auto* item = itemOf(number);
    if (!item)
        return;
    const auto& m = moments_[static_cast<std::size_t>(number)];
    const auto label = m.label >= 0 && static_cast<std::size_t>(m.label) < labels_.size()
                           ? labels_[static_cast<std::size_t>(m.label)]
                           : std::string("emotion ") + std::to_string(m.label);
    const double seconds = std::max(m.end_ms - m.start_ms, 0.0) / 1000.0;
    QString text = QStringLiteral("%1  %2\n%3 %4 · %5 s")
                       .arg(formatSessionTime(m.start_ms / 1000.0), QString::fromStdString(label))
                       .arg(tr("peak"))
                       .arg(m.peak_probability, 0, 'f', 2)
                       .arg(seconds, 0, 'f', 1);
    if (m.track_id != 0)
        text += tr(" · face %1").arg(m.track_id);
    const auto& state = states_[static_cast<std::size_t>(number)];
    if (!state.isEmpty())
        text += QStringLiteral(" · ") + state;
    item->setText(text);
    const auto colour = emotionColor(label, m.label);
    item->setForeground(state == tr("dismissed") ? QBrush(Qt::gray) : QBrush(Qt::black));
    if (isHighlighted(number)) {
        auto tint = colour;
        tint.setAlpha(70);
        item->setBackground(tint);
    } else {
        item->setBackground(QBrush());
    }
    item->setToolTip(tr("%1 from %2 to %3, peak %4 at %5")
                         .arg(QString::fromStdString(label), formatSessionTime(m.start_ms / 1000.0),
                              formatSessionTime(m.end_ms / 1000.0))
                         .arg(m.peak_probability, 0, 'f', 2)
                         .arg(formatSessionTime(m.peak_ms / 1000.0)));
}

}  // namespace emotrace::ui
