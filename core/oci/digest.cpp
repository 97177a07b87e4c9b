#include "core/oci/digest.h"
#include "core/common/sha256.h"

#include <QIODevice>

namespace stagecraft {

namespace {

bool isLowerHex(const QString &s)
{
    for (QChar c : s)
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    return true;
}

} // namespace

Expected<Digest> Digest::parse(const QString &text)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return fail(QStringLiteral("`%1` is not a digest (expected sha256:<64 hex digits>)").arg(text));
    const QString algorithm = text.left(colon);
    const QString hex = text.mid(colon + 1);
    if (algorithm != QLatin1String("sha256"))
        return fail(QStringLiteral("digest algorithm `%1` is not supported (only sha256)").arg(algorithm));
    if (hex.size() != 64 || !isLowerHex(hex))
        return fail(
            QStringLiteral("`%1` is not a valid sha256 digest (expected 64 lowercase hex digits)").arg(text));
    Digest d;
    d.m_hex = hex;
    return d;
}

Digest Digest::fromRawSha256(const QByteArray &raw)
{
    Digest d;
    d.m_hex = QString::fromLatin1(raw.toHex());
    return d;
}

Digest Digest::ofBytes(const QByteArray &bytes)
{
    return fromRawSha256(Sha256::hash(bytes));
}

Expected<Digest> Digest::ofDevice(QIODevice *device, qint64 *size)
{
    Sha256 hash;
    QByteArray buffer(1 << 16, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        const qint64 n = device->read(buffer.data(), buffer.size());
        if (n < 0)
            return fail(QStringLiteral("reading failed: %1").arg(device->errorString()));
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
        total += n;
    }
    if (size)
        *size = total;
    return fromRawSha256(hash.result());
}

QString Digest::toString() const
{
    return m_hex.isEmpty() ? QString() : QStringLiteral("sha256:") + m_hex;
}

} // namespace stagecraft
