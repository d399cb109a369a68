#include "review_video_view.h"

#include <QPainter>

namespace emotrace::ui {

FrameResult toFrameResult(const FrameRecord& record, const cv::Mat& image) {
    FrameResult result;
    result.frame_index = record.frame_index;
    result.timestamp_ms = record.timestamp_ms;
    result.image = image;
    for (const auto& tracked : record.faces) {
        FaceResult face;
        face.box = tracked.box;
        face.detection_confidence = tracked.detection_confidence;
        face.probabilities = tracked.probabilities;
        face.quality = tracked.quality;
        result.faces.push_back(std::move(face));
    }
    return result;
}

ReviewVideoView::ReviewVideoView(QWidget* parent) : VideoView(parent) {
    setPlaceholder(tr("Open a recording to review it."));
}

void ReviewVideoView::showFrame(const cv::Mat& image, const FrameRecord& record, int chosen_track) {
    faces_ = record.faces;
    chosen_track_ = chosen_track;
    showResult(toFrameResult(record, image));
}

void ReviewVideoView::paintEvent(QPaintEvent* event) {
    VideoView::paintEvent(event);
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    QFont font = painter.font();
    font.setBold(true);
    painter.setFont(font);
    const QFontMetricsF metrics(font);
    for (const auto& face : faces_) {
        const QRectF box = frameToWidget(face.box);
        if (box.isEmpty())
            continue;
        // Inside the box's top-right corner: the caption and bars of the live overlay sit
        // above and below it.
        const QString text = QStringLiteral("#%1").arg(face.track_id);
        const QSizeF size(metrics.horizontalAdvance(text) + 8.0, metrics.height() + 2.0);
        const QRectF tag(box.right() - size.width(), box.top(), size.width(), size.height());
        const bool chosen = face.track_id == chosen_track_;
        painter.fillRect(tag, chosen ? QColor(255, 255, 255, 220) : QColor(0, 0, 0, 160));
        painter.setPen(chosen ? Qt::black : Qt::white);
        painter.drawText(tag, Qt::AlignCenter, text);
    }
}

}  // namespace emotrace::ui
