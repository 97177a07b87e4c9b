// A content digest as OCI writes it ("sha256:<64 lowercase hex>"): parsed and validated
// from text, or computed from bytes or a stream without holding the stream in memory.
#pragma once

#include "core/common/error.h"

#include <QByteArray>
#include <QHashFunctions>
#include <QString>

class QIODevice;

namespace stagecraft {

class Digest
{
public:
    Digest() = default;

    // Accepts only "sha256:" followed by 64 lowercase hex digits: other algorithms are
    // refused with a message rather than silently never matching.
    static Expected<Digest> parse(const QString &text);
    static Digest fromRawSha256(const QByteArray &raw); // 32 raw bytes, as Sha256::result returns them
    static Digest ofBytes(const QByteArray &bytes);
    // Reads `device` to its end in chunks; `size` (optional) receives the byte count.
    static Expected<Digest> ofDevice(QIODevice *device, qint64 *size = nullptr);

    bool isValid() const { return !m_hex.isEmpty(); }
    QString algorithm() const { return QStringLiteral("sha256"); }
    QString hex() const { return m_hex; }
    QString shortHex(int length = 12) const { return m_hex.left(length); }
    QString toString() const;

    friend bool operator==(const Digest &, const Digest &) = default;
    friend bool operator<(const Digest &a, const Digest &b) { return a.m_hex < b.m_hex; }

private:
    QString m_hex;
};

inline size_t qHash(const Digest &d, size_t seed = 0)
{
    return qHash(d.hex(), seed);
}

} // namespace stagecraft
