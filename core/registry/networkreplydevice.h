// A blocking, sequential QIODevice over a QNetworkReply's body: read() waits (in a
// local event loop) for the next bytes, so a blob can be streamed into the store with
// ImageStore::putBlob while it downloads. Reports bytes as they arrive; a broken
// connection, a stall or cancellation is a read error that says which it was.
#pragma once

#include "core/common/cancellation.h"

#include <QIODevice>

#include <functional>

class QNetworkReply;

namespace stagecraft {

class NetworkReplyDevice : public QIODevice
{
public:
    // `reply` stays owned by the caller and must outlive this device.
    NetworkReplyDevice(QNetworkReply *reply, CancellationToken cancel, int idleMs,
                       std::function<void(qint64)> onBytes);

    bool isSequential() const override { return true; }
    bool atEnd() const override;
    qint64 bytesAvailable() const override;
    // True when reading stopped because of the network (worth retrying), not cancellation.
    bool networkFailed() const { return m_networkFailed; }
    bool cancelled() const { return m_cancelled; }
    qint64 received() const { return m_received; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QNetworkReply *m_reply;
    CancellationToken m_cancel;
    int m_idleMs;
    std::function<void(qint64)> m_onBytes;
    qint64 m_received = 0;
    bool m_networkFailed = false;
    bool m_cancelled = false;
};

} // namespace stagecraft
