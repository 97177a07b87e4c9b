#include "ui/stepsummary.h"

#include "ui/sizetext.h"
#include "ui/tintediconengine.h"

#include <QAction>
#include <QEvent>
#include <QFontMetrics>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace stagecraft::ui {

namespace {

constexpr int kTreesNamed = 3;  // in the headline
constexpr int kTreesListed = 5; // in the largest line

QLabel *makeLabel(const char *objectName)
{
    auto *label = new QLabel;
    label->setObjectName(QString::fromLatin1(objectName));
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // An image's paths and a step's text can be any length: they never widen the window.
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    return label;
}

// A path from the image, middle elided past a line's worth: the ends say the most.
QString shortPath(const QString &path)
{
    constexpr int kMaxChars = 80;
    if (path.size() <= kMaxChars)
        return path;
    return path.left(30) + QChar(0x2026) + path.right(kMaxChars - 31);
}

} // namespace

StepSummary::StepSummary(QWidget *parent)
    : QWidget(parent)
    , m_previous(new QToolButton)
    , m_next(new QToolButton)
    , m_title(makeLabel("stepTitle"))
    , m_headline(makeLabel("stepHeadline"))
    , m_counts(makeLabel("stepCounts"))
    , m_largest(makeLabel("stepLargest"))
{
    setObjectName(QStringLiteral("stepSummary"));
    m_previous->setArrowType(Qt::UpArrow);
    m_next->setArrowType(Qt::DownArrow);
    m_previous->setAutoRaise(true);
    m_next->setAutoRaise(true);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setWordWrap(false);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_previous);
    top->addWidget(m_next);
    top->addWidget(m_title, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 2, 6, 4);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_headline);
    layout->addWidget(m_counts);
    layout->addWidget(m_largest);
    layout->addStretch(1);
    fitArrows();
    render();
}

void StepSummary::setStepActions(QAction *previous, QAction *next)
{
    bindButton(m_previous, previous, QStyle::SP_ArrowUp);
    bindButton(m_next, next, QStyle::SP_ArrowDown);
    m_nextAction = next;
    render();
}

void StepSummary::bindButton(QToolButton *button, QAction *action, QStyle::StandardPixmap arrow)
{
    // Not the button's default action: that would give it the action's text, and the style's
    // arrow glyphs stay 8 px at any font. The style's arrow icon scales with the icon size.
    button->setArrowType(Qt::NoArrow);
    button->setIcon(TintedIconEngine::readable(style()->standardIcon(arrow)));
    connect(button, &QToolButton::clicked, action, &QAction::trigger);
    const auto follow = [button, action] {
        button->setEnabled(action->isEnabled());
        button->setToolTip(
            action->shortcut().isEmpty()
                ? action->toolTip()
                : QStringLiteral("%1 (%2)").arg(action->toolTip(),
                                                action->shortcut().toString(QKeySequence::NativeText)));
    };
    connect(action, &QAction::changed, button, follow);
    follow();
}

void StepSummary::showPick(const StepPick &pick)
{
    m_pick = pick;
    render();
}

QString StepSummary::titleText() const
{
    return m_titleFull;
}

void StepSummary::elideTitle()
{
    m_title->setText(
        m_title->fontMetrics().elidedText(m_titleFull, Qt::ElideRight, std::max(1, m_title->width())));
}

void StepSummary::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    elideTitle();
}

QString StepSummary::headlineText() const
{
    return m_headline->text();
}

QString StepSummary::countsText() const
{
    return m_counts->text();
}

QString StepSummary::largestText() const
{
    return m_largest->text();
}

QString StepSummary::signedSize(qint64 bytes)
{
    if (bytes > 0)
        return QLatin1Char('+') + sizeText(bytes);
    if (bytes < 0)
        return QChar(0x2212) + sizeText(-bytes);
    return sizeText(0);
}

QString StepSummary::headline(const LayerStep &step)
{
    if (step.layer < 0)
        return {};
    const qint64 delta = step.sizeDelta();
    if (step.addedFiles == 0 && step.modifiedFiles == 0 && step.removedPaths == 0)
        return tr("Layer %1 changed no files").arg(step.layer);
    QString text = delta >= 0 ? tr("Layer %1 added %2").arg(step.layer).arg(sizeText(delta))
                              : tr("Layer %1 freed %2").arg(step.layer).arg(sizeText(-delta));
    QStringList named;
    for (const ChangedTree &tree : step.largest) {
        if (named.size() == kTreesNamed || tree.bytes == 0)
            break;
        named.append(QStringLiteral("%1 (%2)").arg(shortPath(tree.path), sizeText(tree.bytes)));
    }
    if (!named.isEmpty())
        // What a step that freed bytes wrote is not what it freed.
        text += delta >= 0 ? QStringLiteral(": ") + named.join(QStringLiteral(", "))
                           : tr("; wrote %1").arg(named.join(QStringLiteral(", ")));
    if (step.largest.size() > named.size() && !named.isEmpty())
        text += QStringLiteral(" \u2026");
    return text;
}

void StepSummary::render()
{
    const StepPick &p = m_pick;
    QString title;
    if (p.line > 0)
        title = tr("Line %1: %2").arg(p.line).arg(p.text);
    else if (p.layer >= 0)
        title = tr("Layer %1 of %2: %3").arg(p.layer).arg(p.layerCount).arg(p.text);
    else
        title = tr("No step picked");
    m_titleFull = title;
    m_title->setToolTip(title);
    elideTitle();

    QString headlineText;
    QString counts;
    QString largest;
    switch (p.state) {
    case StepPick::State::None: {
        const QAction *next = m_nextAction;
        const QString keys = next && !next->shortcut().isEmpty()
                                 ? next->shortcut().toString(QKeySequence::NativeText)
                                 : QString();
        headlineText = keys.isEmpty()
                           ? tr("Put the cursor on an instruction, or click a layer or a timeline bar.")
                           : tr("Put the cursor on an instruction, click a layer or a timeline bar, or press "
                                "%1 for the next step.")
                                 .arg(keys);
        break;
    }
    case StepPick::State::From:
        headlineText = tr("FROM starts the stage: the layers before its first step are the base image's.");
        break;
    case StepPick::State::NoLayer:
        headlineText = p.keyword == QLatin1String("RUN") || p.keyword == QLatin1String("COPY") ||
                               p.keyword == QLatin1String("ADD") || p.keyword == QLatin1String("WORKDIR")
                           ? tr("%1 made no layer in the last build: it changed no files.").arg(p.keyword)
                           : tr("%1 makes no layer: it changes the image's configuration, not its files.")
                                 .arg(p.keyword);
        break;
    case StepPick::State::NotBuilt:
        headlineText =
            tr("The image shown has no layer of this step. Build the Dockerfile to see what it changes.");
        break;
    case StepPick::State::Loading: headlineText = tr("Reading the image…"); break;
    case StepPick::State::Layer: {
        const LayerStep &s = p.changes;
        headlineText = headline(s);
        if (p.cached)
            headlineText += QLatin1Char(' ') + tr("(from the build cache)");
        // English has no translation to pick the plural: one file is said apart.
        QStringList parts;
        parts.append(s.addedFiles == 1
                         ? tr("Added: 1 file, %1").arg(sizeText(s.addedBytes))
                         : tr("Added: %Ln files, %1", nullptr, s.addedFiles).arg(sizeText(s.addedBytes)));
        QString modified =
            s.modifiedFiles == 1
                ? tr("Modified: 1 file, %1").arg(sizeText(s.modifiedBytes))
                : tr("Modified: %Ln files, %1", nullptr, s.modifiedFiles).arg(sizeText(s.modifiedBytes));
        if (s.modifiedBytesWas != s.modifiedBytes)
            modified += QLatin1Char(' ') + tr("(was %1)").arg(sizeText(s.modifiedBytesWas));
        parts.append(modified);
        parts.append(
            s.removedPaths == 1
                ? tr("Removed: 1 path, %1").arg(sizeText(s.removedBytes))
                : tr("Removed: %Ln paths, %1", nullptr, s.removedPaths).arg(sizeText(s.removedBytes)));
        parts.append(tr("Size change: %1").arg(signedSize(s.sizeDelta())));
        counts = parts.join(QStringLiteral(" · "));
        QStringList trees;
        for (const ChangedTree &tree : s.largest) {
            if (trees.size() == kTreesListed)
                break;
            trees.append(tree.files == 1
                             ? QStringLiteral("%1 (%2)").arg(shortPath(tree.path), sizeText(tree.bytes))
                             : tr("%1 (%2 in %Ln files)", nullptr, tree.files)
                                   .arg(shortPath(tree.path), sizeText(tree.bytes)));
        }
        if (!trees.isEmpty())
            largest = tr("Largest: %1").arg(trees.join(QStringLiteral(", ")));
        break;
    }
    }
    m_headline->setText(headlineText);
    m_counts->setText(counts);
    m_counts->setVisible(!counts.isEmpty());
    m_largest->setText(largest);
    m_largest->setVisible(!largest.isEmpty());
}

void StepSummary::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        render();
    if (event->type() == QEvent::FontChange)
        fitArrows();
    QWidget::changeEvent(event);
}

void StepSummary::fitArrows()
{
    // The arrows are drawn at the icon size: keep them as tall as the title's text, so they
    // grow with the projector's zoom instead of staying at the style's 16 px.
    const int side = qMax(16, QFontMetrics(m_title->font()).height());
    m_previous->setIconSize(QSize(side, side));
    m_next->setIconSize(QSize(side, side));
}

} // namespace stagecraft::ui
