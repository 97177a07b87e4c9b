// The Step dock's panel: what the picked step of a build changed, in a few lines a person
// reads while stepping: the step, a headline ("Layer 4 added 863 MB: /usr/lib/go-1.19 …"),
// the files added, modified and removed with their bytes and the size change, and the
// largest trees it wrote; or why it has no layer (ENV, ARG…), or that it was not built.
#pragma once

#include "ui/stepthrough.h"

#include <QPointer>
#include <QStyle>
#include <QWidget>

class QLabel;
class QToolButton;
class QAction;

namespace stagecraft::ui {

class StepSummary : public QWidget
{
    Q_OBJECT

public:
    explicit StepSummary(QWidget *parent = nullptr);

    // The buttons beside the step's title trigger these (Next and Previous Step).
    void setStepActions(QAction *previous, QAction *next);
    void showPick(const StepPick &pick);

    // The texts shown, for tests and screen readers.
    QString titleText() const;
    QString headlineText() const;
    QString countsText() const;
    QString largestText() const;

    // "Layer 4 added 863 MB: /usr/lib/go-1.19 (512 MB), /usr/share/go (300 MB) …", in the
    // reader's language and number format.
    static QString headline(const LayerStep &step);
    // "+1,2 MB", "−300 kB", "±0 B".
    static QString signedSize(qint64 bytes);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void render();
    void elideTitle();
    void fitArrows();
    void bindButton(QToolButton *button, QAction *action, QStyle::StandardPixmap arrow);

    StepPick m_pick;
    QString m_titleFull; // the title label shows it elided to its width
    QToolButton *m_previous = nullptr;
    QToolButton *m_next = nullptr;
    QPointer<QAction> m_nextAction; // its shortcut is named in the hint
    QLabel *m_title = nullptr;
    QLabel *m_headline = nullptr;
    QLabel *m_counts = nullptr;
    QLabel *m_largest = nullptr;
};

} // namespace stagecraft::ui
