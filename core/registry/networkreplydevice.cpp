#include "core/registry/networkreplydevice.h"

#include "core/registry/replywaiter.h"

#include <QNetworkReply>

namespace stagecraft {

NetworkReplyDevice::NetworkReplyDevice(QNetworkReply *reply, CancellationToken cancel, int idleMs,
                                       std::function<void(qint64)> onBytes)
    : m_reply(reply)
    , m_cancel(std::move(cancel))
    , m_idleMs(idleMs)
    , m_onBytes(std::move(onBytes))
{
    open(QIODevice::ReadOnly);
}

bool NetworkReplyDevice::atEnd() const
{
    return m_reply->isFinished() && m_reply->bytesAvailable() == 0 && QIODevice::bytesAvailable() == 0;
}

qint64 NetworkReplyDevice::bytesAvailable() const
{
    return m_reply->bytesAvailable() + QIODevice::bytesAvailable();
}

qint64 NetworkReplyDevice::readData(char *data, qint64 maxSize)
{
    if (m_cancel.isCancelled()) {
        m_cancelled = true;
        setErrorString(QStringLiteral("cancelled"));
        return -1;
    }
    if (m_reply->bytesAvailable() == 0 && !m_reply->isFinished()) {
        switch (ReplyWaiter::wait(m_reply, ReplyWaiter::Until::Data, m_cancel, m_idleMs)) {
        case ReplyWaiter::Outcome::Reached: break;
        case ReplyWaiter::Outcome::Cancelled:
            m_cancelled = true;
            setErrorString(QStringLiteral("cancelled"));
            return -1;
        case ReplyWaiter::Outcome::TimedOut:
            m_networkFailed = true;
            setErrorString(QStringLiteral("no data arrived for %1 s").arg(m_idleMs / 1000));
            return -1;
        }
    }
    if (m_reply->bytesAvailable() > 0) {
        const qint64 n = m_reply->read(data, maxSize);
        if (n > 0) {
            m_received += n;
            if (m_onBytes)
                m_onBytes(m_received);
        }
        return n;
    }
    // Finished with nothing left: the end, unless the transfer broke off.
    if (m_reply->error() != QNetworkReply::NoError) {
        m_networkFailed = m_reply->error() != QNetworkReply::OperationCanceledError;
        setErrorString(QStringLiteral("the download broke off after %1 bytes: %2")
                           .arg(m_received)
                           .arg(m_reply->errorString()));
        return -1;
    }
    return 0;
}

} // namespace stagecraft
