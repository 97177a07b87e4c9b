#include "core/oci/verifyingdevice.h"

namespace stagecraft {

VerifyingDevice::VerifyingDevice(std::unique_ptr<QIODevice> inner, Digest expected, qint64 expectedSize,
                                 QString origin)
    : m_inner(std::move(inner))
    , m_expected(std::move(expected))
    , m_expectedSize(expectedSize)
    , m_origin(std::move(origin))
{
    QIODevice::open(QIODevice::ReadOnly | QIODevice::Unbuffered);
}

VerifyingDevice::~VerifyingDevice() = default;

bool VerifyingDevice::atEnd() const
{
    return m_finished || m_failed;
}

qint64 VerifyingDevice::bytesAvailable() const
{
    return m_inner ? m_inner->bytesAvailable() + QIODevice::bytesAvailable() : 0;
}

void VerifyingDevice::close()
{
    if (m_inner)
        m_inner->close();
    QIODevice::close();
}

qint64 VerifyingDevice::failWith(const QString &message)
{
    m_failed = true;
    setErrorString(message);
    return -1;
}

qint64 VerifyingDevice::readData(char *data, qint64 maxSize)
{
    if (m_failed)
        return -1;
    if (m_finished)
        return 0;
    const qint64 n = m_inner->read(data, maxSize);
    if (n < 0)
        return failWith(QStringLiteral("reading blob %1 from %2 failed: %3")
                            .arg(m_expected.toString(), m_origin, m_inner->errorString()));
    if (n > 0) {
        m_hash.addData(QByteArrayView(data, n));
        m_read += n;
        if (m_expectedSize >= 0 && m_read > m_expectedSize)
            return failWith(QStringLiteral("blob %1 in %2 is larger than the %3 bytes its descriptor states")
                                .arg(m_expected.toString(), m_origin)
                                .arg(m_expectedSize));
        return n;
    }
    m_finished = true;
    if (m_expectedSize >= 0 && m_read != m_expectedSize)
        return failWith(QStringLiteral("blob %1 in %2 has %3 bytes, but its descriptor states %4")
                            .arg(m_expected.toString(), m_origin)
                            .arg(m_read)
                            .arg(m_expectedSize));
    const Digest actual = Digest::fromRawSha256(m_hash.result());
    if (actual != m_expected)
        return failWith(QStringLiteral("blob %1 in %2 is corrupt: its content has digest %3")
                            .arg(m_expected.toString(), m_origin, actual.toString()));
    m_verified = true;
    return 0;
}

} // namespace stagecraft
