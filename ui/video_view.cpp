#include "video_view.h"

#include <algorithm>

#include <QContextMenuEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <opencv2/imgproc.hpp>

#include "emotion_palette.h"
#include "emotrace/emotion_classifier.h"

namespace emotrace::ui {
namespace {

constexpr double kBoxPenWidth = 3.0;
constexpr double kBarHeight = 30.0;
constexpr double kMinBarWidth = 96.0;

// Perceived brightness (Rec. 601 weights), not HSL lightness: white on gold is unreadable
// although gold's HSL lightness is below one half.
QColor readableTextOn(const QColor& background) {
    const double luma =
        0.299 * background.redF() + 0.587 * background.greenF() + 0.114 * background.blueF();
    return luma > 0.6 ? Qt::black : Qt::white;
}

// Halfway to grey, so the emotion's hue still shows but no longer catches the eye.
QColor dimmed(const QColor& color) {
    const auto half_grey = [](int channel) { return (channel + 128) / 2; };
    return QColor(half_grey(color.red()), half_grey(color.green()), half_grey(color.blue()));
}

}  // namespace

QImage toQImage(const cv::Mat& bgr) {
    if (bgr.empty() || bgr.depth() != CV_8U)
        return {};
    cv::Mat rgb;
    if (bgr.channels() == 3) {
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    } else if (bgr.channels() == 1) {
        cv::cvtColor(bgr, rgb, cv::COLOR_GRAY2RGB);
    } else if (bgr.channels() == 4) {
        cv::cvtColor(bgr, rgb, cv::COLOR_BGRA2RGB);
    } else {
        return {};
    }
    const QImage view(rgb.data, rgb.cols, rgb.rows, static_cast<qsizetype>(rgb.step),
                      QImage::Format_RGB888);
    return view.copy();  // rgb's buffer dies with this function
}

VideoView::VideoView(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(160, 120);
    // A click on the video takes the keyboard from a text field, so the window's keys (M) work.
    setFocusPolicy(Qt::ClickFocus);
    placeholder_ = tr("No video. Choose a source and press Start.");
}

void VideoView::setLabels(std::vector<std::string> labels) {
    labels_ = std::move(labels);
    update();
}

void VideoView::showResult(const FrameResult& result) {
    // Frames are never written after capture, so sharing the buffer is safe.
    pending_frame_ = result.image;
    frame_size_ = QSize(result.image.cols, result.image.rows);
    faces_ = result.faces;
    update();
}

void VideoView::clear() {
    pending_frame_.release();
    image_ = {};
    frame_size_ = {};
    faces_.clear();
    update();
}

void VideoView::setPlaceholder(const QString& text) {
    placeholder_ = text;
    update();
}

QRectF VideoView::imageRect() const {
    if (frame_size_.isEmpty())
        return {};
    const QSizeF scaled = QSizeF(frame_size_).scaled(QSizeF(size()), Qt::KeepAspectRatio);
    return {(width() - scaled.width()) / 2.0, (height() - scaled.height()) / 2.0, scaled.width(),
            scaled.height()};
}

QRectF VideoView::frameToWidget(const cv::Rect2f& box) const {
    const QRectF target = imageRect();
    if (target.isEmpty())
        return {};
    const double scale = target.width() / frame_size_.width();
    return {target.left() + box.x * scale, target.top() + box.y * scale, box.width * scale,
            box.height * scale};
}

void VideoView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), QColor(18, 18, 18));
    if (!pending_frame_.empty()) {
        image_ = toQImage(pending_frame_);
        pending_frame_.release();
    }
    if (image_.isNull()) {
        painter.setPen(QColor(200, 200, 200));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(imageRect(), image_);
    painter.setRenderHint(QPainter::Antialiasing);
    for (const auto& face : faces_)
        drawFace(painter, face);
}

void VideoView::setFollowedTrack(std::optional<int> track) {
    std::vector<Person> people;
    if (track)
        people.push_back({.track_id = *track, .followed = true});
    setPeople(std::move(people));
}

void VideoView::setPeople(std::vector<Person> people) {
    people_ = std::move(people);
    update();
}

const Person* VideoView::personOf(int track) const {
    const auto person = std::find_if(people_.begin(), people_.end(),
                                     [track](const Person& p) { return p.track_id == track; });
    return person == people_.end() ? nullptr : &*person;
}

QString VideoView::tagOf(int track) const {
    const Person* person = personOf(track);
    QString tag = person && !person->name.empty() ? QString::fromStdString(person->name)
                                                  : QStringLiteral("#%1").arg(track);
    if (person && person->excluded)
        tag += tr(" left out");
    else if (person && person->followed)
        tag += tr(" \u00b7 following");
    return tag;
}

std::optional<int> VideoView::trackAt(QPointF point) const {
    // The smallest face under the point: in a gallery a tile's face, not a box around it.
    std::optional<int> found;
    double smallest = 0.0;
    for (const auto& face : faces_) {
        const auto box = frameToWidget(face.box);
        if (face.track_id >= 0 && box.contains(point) &&
            (!found || box.width() * box.height() < smallest)) {
            found = face.track_id;
            smallest = box.width() * box.height();
        }
    }
    return found;
}

void VideoView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        if (const auto track = trackAt(event->position())) {
            if (event->modifiers() & Qt::ControlModifier)
                emit faceAddClicked(*track);
            else
                emit faceClicked(*track);
        }
    }
    QWidget::mousePressEvent(event);
}

void VideoView::contextMenuEvent(QContextMenuEvent* event) {
    if (const auto track = trackAt(event->pos())) {
        emit faceMenuRequested(*track, event->globalPos());
        event->accept();
        return;
    }
    QWidget::contextMenuEvent(event);
}

void VideoView::setRelativeTracks(std::vector<int> tracks) {
    relative_tracks_ = std::move(tracks);
    update();
}

void VideoView::drawFace(QPainter& painter, const FaceResult& face) const {
    const QRectF box = frameToWidget(face.box);
    const Person* person = personOf(face.track_id);
    const bool excluded = person && person->excluded;
    const int top = excluded ? -1 : topClass(face.probabilities);
    const bool has_emotion = top >= 0 && static_cast<std::size_t>(top) < labels_.size();
    // A reading of low quality (small, blurred, dark, turned away) is drawn dimmed and dotted
    // with the reason, so a confident-looking caption never stands on a face it cannot read.
    const bool low_quality = !excluded && face.quality && face.quality->quality < kLowQuality;
    QColor color = excluded      ? QColor(150, 150, 150)
                   : has_emotion ? emotionColor(labels_[static_cast<std::size_t>(top)], top)
                                 : plainFaceColor();
    if (low_quality)
        color = dimmed(color);
    const bool followed = person && person->followed;
    QPen pen(color, followed ? 2.5 * kBoxPenWidth : kBoxPenWidth);
    if (excluded)
        pen.setStyle(Qt::DashLine);  // boxed so it can be included again, visibly not read
    else if (low_quality)
        pen.setStyle(Qt::DotLine);
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(box);
    if (face.track_id >= 0) {
        // The face's name or number, so the therapist can tell people apart and pick one.
        const QString tag = tagOf(face.track_id);
        const QFontMetricsF metrics(painter.font());
        const QRectF tag_rect(box.right() - metrics.horizontalAdvance(tag) - 8.0, box.top() + 2.0,
                              metrics.horizontalAdvance(tag) + 6.0, metrics.height() + 2.0);
        painter.fillRect(tag_rect, QColor(255, 255, 255, 220));
        painter.setPen(Qt::black);
        painter.drawText(tag_rect, Qt::AlignCenter, tag);
    }
    if (!has_emotion)
        return;

    const auto probability = face.probabilities[static_cast<std::size_t>(top)];
    QString caption = QStringLiteral("%1 %2%")
                          .arg(QString::fromStdString(labels_[static_cast<std::size_t>(top)]))
                          .arg(qRound(probability * 100.0f));
    if (std::find(relative_tracks_.begin(), relative_tracks_.end(), face.track_id) !=
        relative_tracks_.end())
        caption += tr(" vs rest");
    if (low_quality) {
        const auto& why = face.quality->limited_by;
        caption += why.empty() ? tr(" · low quality")
                               : tr(" · low quality: %1").arg(QString::fromStdString(why));
    }
    QFont font = painter.font();
    font.setPointSizeF(std::max(10.0, font.pointSizeF() * 1.15));
    font.setBold(true);
    painter.setFont(font);
    const QFontMetricsF metrics(font);
    const QSizeF text_size(metrics.horizontalAdvance(caption) + 10.0, metrics.height() + 4.0);
    // Above the box, or inside its top edge when the face touches the top of the view.
    const double caption_top =
        box.top() - text_size.height() >= 0 ? box.top() - text_size.height() : box.top();
    const QRectF caption_rect(box.left() - kBoxPenWidth / 2, caption_top, text_size.width(),
                              text_size.height());
    painter.fillRect(caption_rect, color);
    painter.setPen(readableTextOn(color));
    painter.drawText(caption_rect, Qt::AlignCenter, caption);

    // Below the box; else above the caption, off the face; else inside the box's bottom edge.
    const double bar_width = std::max(box.width(), kMinBarWidth);
    const double below = box.bottom() + kBoxPenWidth;
    const double above = caption_rect.top() - kBarHeight;
    const double bar_top = below + kBarHeight <= height() ? below
                           : above >= 0                   ? above
                                        : box.bottom() - kBarHeight - kBoxPenWidth;
    drawProbabilityBars(painter, QRectF(box.left(), bar_top, bar_width, kBarHeight),
                        face.probabilities);
}

void VideoView::drawProbabilityBars(QPainter& painter, const QRectF& area,
                                    const std::vector<float>& probabilities) const {
    painter.fillRect(area, QColor(0, 0, 0, 170));
    const auto classes = std::min(probabilities.size(), labels_.size());
    if (classes == 0)
        return;
    const QRectF inner = area.adjusted(2, 2, -2, -2);
    const double column = inner.width() / static_cast<double>(classes);
    for (std::size_t i = 0; i < classes; ++i) {
        const double value = std::clamp(static_cast<double>(probabilities[i]), 0.0, 1.0);
        // A sliver even at 0 so every class's colour is visible and the columns line up.
        const double bar = std::max(1.0, value * inner.height());
        const QRectF column_rect(inner.left() + static_cast<double>(i) * column + 1,
                                 inner.bottom() - bar, std::max(1.0, column - 2), bar);
        painter.fillRect(column_rect, emotionColor(labels_[i], static_cast<int>(i)));
    }
}

}  // namespace emotrace::ui
