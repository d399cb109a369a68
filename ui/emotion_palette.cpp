#include "emotion_palette.h"

#include <array>
#include <string_view>
#include <utility>

namespace emotrace::ui {

QColor emotionColor(const std::string& label, int index) {
    // Chosen to stay apart on a white timeline and on video: warm for aroused negative classes,
    // gold for happy, grey for neutral.
    static constexpr std::array<std::pair<std::string_view, QRgb>, 8> kPaperColors{{
        {"angry", 0xd62728},
        {"contempt", 0x8c564b},
        {"disgust", 0x2ca02c},
        {"fear", 0x9467bd},
        {"happy", 0xe6b400},
        {"neutral", 0x7f7f7f},
        {"sad", 0x1f77b4},
        {"surprise", 0xff7f0e},
    }};
    for (const auto& [name, rgb] : kPaperColors) {
        if (label == name)
            return QColor::fromRgb(rgb);
    }
    // Golden-angle hue steps keep neighbouring indices far apart.
    const int hue = (index * 137 + 200) % 360;
    return QColor::fromHsv(hue, 200, 200);
}

QColor plainFaceColor() {
    return QColor::fromRgb(0x00c8ff);
}

}  // namespace emotrace::ui
