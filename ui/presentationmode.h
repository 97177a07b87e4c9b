// View → Presentation (F5): the whole window at a projector's font size (at least
// 20 pt, Ctrl+= and Ctrl+- change it while presenting, remembered), the toolbar in two
// rows so nothing hides in its overflow menu, and on a narrow window the editor and the
// side views taking turns instead of squeezing each other. Leaving restores the zoom,
// docks, toolbars and panes as they were. At 1024 pixels the editor keeps sixty columns of
// the 20 pt font: the gutter holds only the numbers, the build's badges move to the line
// ends, and the editor loses its frame and scroll bar (the wheel and keys still scroll).
#pragma once

#include <QByteArray>
#include <QFrame>
#include <QObject>
#include <QPointer>
#include <QSize>

class QAction;
class QSplitter;
class QToolBar;
class QWidget;

namespace stagecraft::ui {

class LineEndBadges;
class MainWindow;

class PresentationMode : public QObject
{
    Q_OBJECT

public:
    static constexpr int kMinPointSize = 20;
    static constexpr int kMaxPointSize = 48;

    // `editorPane` and `viewsPane` are the splitter's two children; `viewBar` the toolbar
    // that gets a row of its own while presenting; `swap` the action that switches panes.
    PresentationMode(MainWindow *window, QSplitter *splitter, QWidget *editorPane, QWidget *viewsPane,
                     QToolBar *viewBar, QAction *swap);

    bool isActive() const { return m_active; }
    void setActive(bool on);
    // The zoom to go back to (what the settings keep while presenting).
    int restoreZoomPercent() const { return m_savedZoom; }

    // The font size while presenting (QSettings "presentation/pointSize").
    int pointSize() const;
    void setPointSize(int points);
    void changePointSize(int delta) { setPointSize(pointSize() + delta); }

    // True when the window is too narrow for the editor's columns beside the views at
    // this font: one pane is shown at a time.
    bool takesTurns() const { return m_takesTurns; }
    bool showsEditor() const;
    void showPane(bool editor); // brings that pane in (a no-op while both are shown)
    // Re-decides whether the panes take turns (the window was resized).
    void relayout();

Q_SIGNALS:
    void activeChanged(bool active);

private:
    void applyFont();
    void giveCodeTheWidth(bool presenting);
    void quietStatusBar(bool presenting);
    void moveToolBarItems(bool presenting);
    void updateSwapAction();
    void fitGraphSoon();

    MainWindow *m_window;
    QSplitter *m_splitter;
    QWidget *m_editorPane;
    QWidget *m_viewsPane;
    QToolBar *m_viewBar;
    QAction *m_swap;
    bool m_active = false;
    bool m_takesTurns = false;
    int m_savedZoom = 100;
    QByteArray m_savedState;
    QByteArray m_savedSplitter;
    QSize m_savedIconSize;
    qreal m_editorPoints = 10; // the editor's font at 100 %
    QFrame::Shape m_savedFrame = QFrame::StyledPanel;
    Qt::ScrollBarPolicy m_savedScrollBar = Qt::ScrollBarAsNeeded;
    QList<QPointer<QWidget>> m_quieted; // status bar widgets hidden while presenting
    qreal m_savedMargin = 4;
    QPointer<LineEndBadges> m_lineEndBadges;
};

} // namespace stagecraft::ui
