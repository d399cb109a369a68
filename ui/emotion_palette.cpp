#include "emotion_palette.h"

#include "emotrace/charts.h"

namespace emotrace::ui {

QColor emotionColor(const std::string& label, int index) {
    // One table for the dashboard and the command-line charts (core/src/charts.cpp).
    return QColor::fromRgb(emotionRgb(label, index));
}

QColor plainFaceColor() {
    return QColor::fromRgb(0x00c8ff);
}

}  // namespace emotrace::ui
