#include "ui/presentationmode.h"

#include "ui/dockerfileeditor.h"
#include "ui/enginepicker.h"
#include "ui/lineendbadges.h"
#include "ui/mainwindow.h"
#include "ui/stagegraphview.h"

#include <QAction>
#include <QApplication>
#include <QFontInfo>
#include <QFontMetrics>
#include <QFontMetricsF>
#include <QLineEdit>
#include <QSettings>
#include <QSplitter>
#include <QTimer>
#include <QToolBar>

#include <algorithm>
#include <cmath>

namespace stagecraft::ui {

namespace {

const QString kPointSizeKey = QStringLiteral("presentation/pointSize");

} // namespace

PresentationMode::PresentationMode(MainWindow *window, QSplitter *splitter, QWidget *editorPane,
                                   QWidget *viewsPane, QToolBar *viewBar, QAction *swap)
    : QObject(window)
    , m_window(window)
    , m_splitter(splitter)
    , m_editorPane(editorPane)
    , m_viewsPane(viewsPane)
    , m_viewBar(viewBar)
    , m_swap(swap)
{
    m_swap->setVisible(false);
    connect(m_swap, &QAction::triggered, this, [this] {
        if (m_takesTurns)
            showPane(!showsEditor());
        else if (m_editorPane->hasFocus() || m_editorPane->isAncestorOf(QApplication::focusWidget()))
            m_viewsPane->setFocus();
        else
            m_editorPane->setFocus();
    });
}

int PresentationMode::pointSize() const
{
    return std::clamp(QSettings().value(kPointSizeKey, kMinPointSize).toInt(), kMinPointSize, kMaxPointSize);
}

void PresentationMode::setPointSize(int points)
{
    QSettings().setValue(kPointSizeKey, std::clamp(points, kMinPointSize, kMaxPointSize));
    if (m_active) {
        applyFont();
        relayout();
    }
}

void PresentationMode::setActive(bool on)
{
    if (on == m_active)
        return;
    if (on) {
        m_savedZoom = m_window->zoomPercent();
        m_savedState = m_window->saveState();
        m_savedSplitter = m_splitter->saveState();
        m_savedIconSize = m_viewBar->iconSize();
        m_editorPoints = std::max(1.0, m_window->editor()->font().pointSizeF() * 100.0 / m_savedZoom);
        m_active = true;
        // The view toolbar (zoom, fit, export, the pane switch) gets a row of its own: at a
        // projector's font one row cannot hold both, and an overflow menu is easy to miss.
        m_window->insertToolBarBreak(m_viewBar);
        moveToolBarItems(true);
        quietStatusBar(true);
        m_swap->setVisible(true);
        giveCodeTheWidth(true);
        applyFont();
        relayout();
    } else {
        m_active = false;
        m_takesTurns = false;
        m_swap->setVisible(false);
        m_editorPane->show();
        m_viewsPane->show();
        giveCodeTheWidth(false);
        moveToolBarItems(false);
        quietStatusBar(false);
        m_window->removeToolBarBreak(m_viewBar);
        m_window->setZoomPercent(m_savedZoom);
        for (QToolBar *bar : m_window->findChildren<QToolBar *>())
            bar->setIconSize(m_savedIconSize);
        m_window->restoreState(m_savedState);
        m_splitter->restoreState(m_savedSplitter);
        m_editorPane->setFocus();
    }
    Q_EMIT activeChanged(m_active);
}

void PresentationMode::applyFont()
{
    // The window's zoom scales the application font (menus, toolbars, docks, the graph);
    // the editor's own font (often larger) then gets its own factor, so both read at the
    // presentation size and the code does not take more room than it needs.
    const qreal appPoints = std::max(1.0, QFontInfo(QApplication::font()).pointSizeF());
    m_window->setZoomPercent(int(std::ceil(100.0 * pointSize() / appPoints)));
    DockerfileEditor *editor = m_window->editor();
    editor->setZoomPercent(int(std::ceil(100.0 * pointSize() / m_editorPoints)));
    // Icons grow with the text, else they shrink to specks beside 20 pt labels.
    const int icon = QFontMetrics(m_window->font()).height();
    for (QToolBar *bar : m_window->findChildren<QToolBar *>())
        bar->setIconSize(QSize(icon, icon));
    if (QAction *reset = m_window->action(QStringLiteral("actionZoomReset")))
        reset->setIconText(tr("%1 pt").arg(pointSize()));
}

void PresentationMode::giveCodeTheWidth(bool presenting)
{
    // Sixty columns of a 20 pt monospace font (27 px, 16.25 px a column) take 975 of the
    // 1024 pixels: the 49 left are the numbers' gutter (its digits at 0.7 of the code's size,
    // so three of them fit) and the document's margins. The frame, the scroll bar and the
    // badge column would take the code's last columns.
    DockerfileEditor *editor = m_window->editor();
    if (presenting) {
        m_savedFrame = editor->frameShape();
        m_savedScrollBar = editor->verticalScrollBarPolicy();
        editor->setFrameShape(QFrame::NoFrame);
        editor->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        editor->setCompactGutter(true);
        m_savedMargin = editor->document()->documentMargin();
        editor->document()->setDocumentMargin(2);
        m_lineEndBadges = new LineEndBadges(editor);
        m_lineEndBadges->show();
    } else {
        delete m_lineEndBadges;
        editor->setCompactGutter(false);
        editor->document()->setDocumentMargin(m_savedMargin);
        editor->setVerticalScrollBarPolicy(m_savedScrollBar);
        editor->setFrameShape(m_savedFrame);
    }
}

void PresentationMode::quietStatusBar(bool presenting)
{
    // At 20 pt the status bar holds the line, the stage and the problems in whole words; the
    // analysis time and the engine picker speak to the person at the keyboard, not the room.
    if (presenting) {
        m_quieted.clear();
        const QList<QWidget *> asides{m_window->findChild<QWidget *>(QStringLiteral("parseLabel")),
                                      m_window->findChild<EnginePicker *>()};
        for (QWidget *aside : asides) {
            if (aside && aside->isVisibleTo(m_window)) {
                aside->hide();
                m_quieted.append(aside);
            }
        }
    } else {
        for (const QPointer<QWidget> &aside : std::as_const(m_quieted))
            if (aside)
                aside->show();
        m_quieted.clear();
    }
}

void PresentationMode::moveToolBarItems(bool presenting)
{
    // At 20 pt the main row holds the files, the target and Build and Run, with their words;
    // the build arguments field goes to the second row, with the view's actions.
    auto *mainBar = m_window->findChild<QToolBar *>(QStringLiteral("mainToolBar"));
    auto *argsEdit = m_window->findChild<QLineEdit *>(QStringLiteral("buildArgsEdit"));
    QAction *build = m_window->action(QStringLiteral("actionBuild"));
    if (!mainBar || !argsEdit || !build)
        return;
    QToolBar *from = presenting ? mainBar : m_viewBar;
    QAction *args = nullptr;
    for (QAction *a : from->actions())
        if (from->widgetForAction(a) == argsEdit)
            args = a;
    if (args) {
        from->removeAction(args);
        if (presenting)
            m_viewBar->insertAction(m_viewBar->actions().value(0), args);
        else
            mainBar->insertAction(build, args);
        argsEdit->show();
    }
}

bool PresentationMode::showsEditor() const
{
    return !m_editorPane->isHidden();
}

void PresentationMode::showPane(bool editor)
{
    if (!m_takesTurns)
        return;
    m_editorPane->setVisible(editor);
    m_viewsPane->setVisible(!editor);
    (editor ? m_editorPane : m_viewsPane)->setFocus();
    updateSwapAction();
    fitGraphSoon();
}

void PresentationMode::fitGraphSoon()
{
    // The graph's pane changed width (shown alone, or beside the editor again): fit once
    // the layout has given it its new size.
    QTimer::singleShot(0, this, [this] {
        if (m_active && m_viewsPane->isVisible())
            m_window->graphView()->fitToView();
    });
}

void PresentationMode::relayout()
{
    if (!m_active)
        return;
    // Sixty columns of code need about as much again beside them for the graph to be
    // readable; below that the two panes take turns.
    const QFontMetricsF metrics(m_window->editor()->font());
    const qreal columns = metrics.horizontalAdvance(QLatin1Char('m')) * DockerfileEditor::kMinimumColumns;
    const bool turns = m_window->width() < columns * 1.8;
    if (turns != m_takesTurns) {
        m_takesTurns = turns;
        if (turns) {
            const bool editor = !m_viewsPane->isAncestorOf(QApplication::focusWidget());
            m_editorPane->setVisible(editor);
            m_viewsPane->setVisible(!editor);
        } else {
            m_editorPane->show();
            m_viewsPane->show();
        }
        fitGraphSoon();
    }
    updateSwapAction();
}

void PresentationMode::updateSwapAction()
{
    if (!m_takesTurns)
        m_swap->setText(tr("S&witch Pane"));
    else
        m_swap->setText(showsEditor() ? tr("Show &Graph") : tr("Show &Editor"));
    m_swap->setIconText(m_swap->text().remove(QLatin1Char('&')));
}

} // namespace stagecraft::ui
