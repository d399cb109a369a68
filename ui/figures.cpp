#include "figures.h"

#include <QApplication>

namespace emotrace::ui {

FigureApplication::FigureApplication() {
    if (QCoreApplication::instance())
        return;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    app_ = std::make_unique<QApplication>(argc_, argv_);
}

FigureApplication::~FigureApplication() = default;

}  // namespace emotrace::ui
