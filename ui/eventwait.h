// For tests, screenshots and closing the window with a build running: lets the event loop
// run until work posted back from worker threads has arrived, or the time is up.
#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

namespace stagecraft::ui {

// Processes events until `done()` holds; false when `timeoutMs` passed first.
template <typename Done> bool processEventsUntil(Done done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(2);
    }
    return true;
}

} // namespace stagecraft::ui
