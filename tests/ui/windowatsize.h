// The window tests look at the main window on the screens a talk or a small laptop gives
// it: 1024×768 and 1280×720, in English and German. This is their one way of naming those
// rows and of putting a window on screen at a size, so the tests agree on what they check.
#pragma once

#include "ui/mainwindow.h"
#include "ui/stagegraphview.h"

#include <QList>
#include <QSize>
#include <QTest>

namespace stagecraft::test {

inline QList<QSize> projectorSizes()
{
    return {QSize(1024, 768), QSize(1280, 720)};
}

// The data rows "en-1024x768", "de-1024x768", "en-1280x720", "de-1280x720" with the
// columns `german` (bool) and `size` (QSize).
inline void addLanguageAndSizeRows()
{
    QTest::addColumn<bool>("german");
    QTest::addColumn<QSize>("size");
    for (const QSize size : projectorSizes())
        for (const bool german : {false, true})
            QTest::addRow("%s-%dx%d", german ? "de" : "en", size.width(), size.height()) << german << size;
}

enum class WaitFor { Exposed, Active };

// Resizes, shows and waits until the window is on screen (or, with WaitFor::Active, has
// the keyboard). The graph does not animate, so a test reads its final zoom at once.
// False when the window never appeared or the window system gave it another size.
[[nodiscard]] inline bool showAtSize(ui::MainWindow &window, QSize size, WaitFor wait = WaitFor::Exposed)
{
    window.graphView()->setAnimated(false);
    window.resize(size);
    window.show();
    if (wait == WaitFor::Active) {
        window.activateWindow();
        if (!QTest::qWaitForWindowActive(&window))
            return false;
    } else if (!QTest::qWaitForWindowExposed(&window)) {
        return false;
    }
    return window.size() == size;
}

} // namespace stagecraft::test
