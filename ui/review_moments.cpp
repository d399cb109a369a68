#include "review_moments.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "moment_list.h"

namespace emotrace::ui {

namespace {

const QString kMarker = QStringLiteral("marker");
const QString kDismissed = QStringLiteral("dismissed");

}  // namespace

MomentPanel::MomentPanel(QWidget* parent)
    : QWidget(parent),
      sensitivity_(new QComboBox),
      count_(new QLabel),
      list_(new MomentList(MomentList::Order::ByTime)),
      accept_(new QPushButton(tr("Accept as marker"))),
      dismiss_(new QPushButton(tr("Dismiss"))) {
    sensitivity_->setObjectName(QStringLiteral("momentSensitivity"));
    sensitivity_->addItem(tr("Low: only strong, held expressions"),
                          static_cast<int>(MomentSensitivity::Low));
    sensitivity_->addItem(tr("Default"), static_cast<int>(MomentSensitivity::Default));
    sensitivity_->addItem(tr("High: slighter and briefer ones too"),
                          static_cast<int>(MomentSensitivity::High));
    sensitivity_->setCurrentIndex(1);
    accept_->setObjectName(QStringLiteral("acceptMoment"));
    dismiss_->setObjectName(QStringLiteral("dismissMoment"));
    count_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Sensitivity:")));
    top->addWidget(sensitivity_, 1);
    layout->addLayout(top);
    layout->addWidget(count_);
    layout->addWidget(list_, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(accept_);
    buttons->addWidget(dismiss_);
    layout->addLayout(buttons);
    list_->setEmptyText(
        tr("No moments: nothing departs clearly from the person's own "
           "baseline at this sensitivity."));

    connect(sensitivity_, &QComboBox::currentIndexChanged, this,
            [this] { emit sensitivityChanged(sensitivity()); });
    connect(list_, &MomentList::momentClicked, this,
            [this](int number) { emit seekRequested(list_->moment(number).start_ms / 1000.0); });
    connect(list_, &MomentList::selectionChanged, this, [this] { updateButtons(); });
    connect(accept_, &QPushButton::clicked, this, &MomentPanel::acceptSelected);
    connect(dismiss_, &QPushButton::clicked, this, &MomentPanel::dismissOrRestoreSelected);
    updateButtons();
    updateCount();
}

void MomentPanel::setMoments(const std::vector<Moment>& moments,
                             const std::vector<std::string>& labels,
                             const std::vector<QString>& states) {
    list_->clear();
    list_->setLabels(labels);
    for (std::size_t i = 0; i < moments.size(); ++i) {
        const int number = list_->addMoment(moments[i], {});
        if (i < states.size())
            list_->setMomentState(number, states[i]);
    }
    updateButtons();
    updateCount();
}

void MomentPanel::setThumbnail(int number, const QImage& thumbnail) {
    if (number >= 0 && number < list_->count())
        list_->updateMoment(number, list_->moment(number), thumbnail);
}

void MomentPanel::setState(int number, const QString& state) {
    list_->setMomentState(number, state);
    updateButtons();
    updateCount();
}

void MomentPanel::setSensitivity(MomentSensitivity sensitivity) {
    sensitivity_->setCurrentIndex(sensitivity_->findData(static_cast<int>(sensitivity)));
}

MomentSensitivity MomentPanel::sensitivity() const {
    return static_cast<MomentSensitivity>(sensitivity_->currentData().toInt());
}

void MomentPanel::setNote(const QString& note) {
    list_->clear();
    list_->setEmptyText(note);
    updateButtons();
    updateCount();
}

void MomentPanel::acceptSelected() {
    const int number = list_->selectedMoment();
    if (number >= 0 && list_->momentState(number) != kMarker)
        emit acceptRequested(number);
}

void MomentPanel::dismissOrRestoreSelected() {
    const int number = list_->selectedMoment();
    if (number < 0)
        return;
    if (list_->momentState(number) == kDismissed)
        emit restoreRequested(number);
    else
        emit dismissRequested(number);
}

void MomentPanel::updateButtons() {
    const int number = list_->selectedMoment();
    const auto state = list_->momentState(number);
    accept_->setEnabled(number >= 0 && state != kMarker);
    dismiss_->setEnabled(number >= 0);
    dismiss_->setText(state == kDismissed ? tr("Restore") : tr("Dismiss"));
}

void MomentPanel::updateCount() {
    int dismissed = 0;
    int accepted = 0;
    for (int i = 0; i < list_->count(); ++i) {
        dismissed += list_->momentState(i) == kDismissed ? 1 : 0;
        accepted += list_->momentState(i) == kMarker ? 1 : 0;
    }
    count_->setText(tr("%1 moments, %2 accepted as markers, %3 dismissed")
                        .arg(list_->count())
                        .arg(accepted)
                        .arg(dismissed));
}

}  // namespace emotrace::ui
