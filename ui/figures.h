// A QApplication for the headless tools that draw with Qt (the analysis command's timeline and
// report exports): QCustomPlot and QPdfWriter need one, and a command-line tool has none. The
// training tools' charts need no Qt at all (core/include/emotrace/charts.h).
#pragma once

#include <memory>

class QApplication;

namespace emotrace::ui {

// A QApplication on the offscreen platform (unless QT_QPA_PLATFORM says otherwise), or nothing
// when the process already has one. Keep it alive while drawing.
class FigureApplication {
  public:
    FigureApplication();
    ~FigureApplication();
    FigureApplication(const FigureApplication&) = delete;
    FigureApplication& operator=(const FigureApplication&) = delete;

  private:
    int argc_ = 1;
    char name_[16] = "emotrace";
    char* argv_[2] = {name_, nullptr};
    std::unique_ptr<QApplication> app_;
};

}  // namespace emotrace::ui
