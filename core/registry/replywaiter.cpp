#include "core/registry/replywaiter.h"

#include <QEventLoop>
#include <QNetworkReply>
#include <QTimer>

namespace stagecraft {

namespace {

bool reached(QNetworkReply *reply, ReplyWaiter::Until until)
{
    if (reply->isFinished())
        return true;
    switch (until) {
    case ReplyWaiter::Until::Headers:
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid();
    case ReplyWaiter::Until::Data: return reply->bytesAvailable() > 0;
    case ReplyWaiter::Until::Finished: return false;
    }
    return false;
}

} // namespace

ReplyWaiter::Outcome ReplyWaiter::wait(QNetworkReply *reply, Until until, const CancellationToken &cancel,
                                       int idleMs, int deadlineMs)
{
    if (reached(reply, until))
        return Outcome::Reached;
    if (cancel.isCancelled()) {
        reply->abort();
        return Outcome::Cancelled;
    }
    QEventLoop loop;
    Outcome outcome = Outcome::Reached;
    QTimer idle;
    idle.setSingleShot(true);
    QTimer deadline;
    deadline.setSingleShot(true);
    QTimer poll;
    const auto check = [&] {
        if (reached(reply, until))
            loop.quit();
    };
    const auto progressed = [&] {
        idle.start(idleMs);
        check();
    };
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(reply, &QNetworkReply::metaDataChanged, &loop, progressed);
    QObject::connect(reply, &QNetworkReply::readyRead, &loop, progressed);
    QObject::connect(reply, &QNetworkReply::uploadProgress, &loop, progressed);
    QObject::connect(reply, &QNetworkReply::downloadProgress, &loop, progressed);
    QObject::connect(&idle, &QTimer::timeout, &loop, [&] {
        outcome = Outcome::TimedOut;
        loop.quit();
    });
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        outcome = Outcome::TimedOut;
        loop.quit();
    });
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (cancel.isCancelled()) {
            outcome = Outcome::Cancelled;
            loop.quit();
        }
    });
    idle.start(idleMs);
    if (deadlineMs >= 0)
        deadline.start(deadlineMs);
    poll.start(50);
    loop.exec();
    if (outcome != Outcome::Reached && !reply->isFinished())
        reply->abort();
    else if (outcome != Outcome::Reached)
        outcome = cancel.isCancelled() ? Outcome::Cancelled : Outcome::Reached;
    return outcome;
}

bool ReplyWaiter::sleep(int ms, const CancellationToken &cancel)
{
    QEventLoop loop;
    QTimer done;
    done.setSingleShot(true);
    QTimer poll;
    QObject::connect(&done, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (cancel.isCancelled())
            loop.quit();
    });
    done.start(ms);
    poll.start(50);
    loop.exec();
    return !cancel.isCancelled();
}

} // namespace stagecraft
