// Wraps a blob's stream and checks, as it is read, that its bytes have the expected
// digest and size: at the end (or as soon as it grows too long) a mismatch becomes a
// read error that names the blob, so no consumer can use corrupt content unknowingly.
#pragma once

#include "core/oci/digest.h"

#include <QIODevice>

#include <memory>
#include "core/common/sha256.h"

namespace stagecraft {

class VerifyingDevice : public QIODevice
{
public:
    // `expectedSize` < 0: size not known, only the digest is checked. `origin` names
    // where the blob came from in messages ("store", "OCI layout /tmp/x").
    VerifyingDevice(std::unique_ptr<QIODevice> inner, Digest expected, qint64 expectedSize, QString origin);
    ~VerifyingDevice() override;

    bool isSequential() const override { return true; }
    bool atEnd() const override;
    qint64 bytesAvailable() const override;
    void close() override;
    bool verified() const { return m_verified; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    qint64 failWith(const QString &message);

    std::unique_ptr<QIODevice> m_inner;
    Digest m_expected;
    qint64 m_expectedSize;
    QString m_origin;
    Sha256 m_hash;
    qint64 m_read = 0;
    bool m_finished = false;
    bool m_verified = false;
    bool m_failed = false;
};

} // namespace stagecraft
