#include "core/analysis/bytereader.h"

#include <cstring>

namespace stagecraft {

double ByteReader::readDouble()
{
    const quint64 bits = quint64(readI64());
    double value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

QString ByteReader::readString()
{
    const quint32 length = readU32();
    if (!m_ok)
        return {};
    if (qint64(length) * 2 > remaining()) {
        m_ok = false;
        return {};
    }
    const char *data = m_pos;
    m_pos += qsizetype(length) * 2;
    if (length == 0)
        return {};
#if Q_BYTE_ORDER == Q_LITTLE_ENDIAN
    QString text(qsizetype(length), Qt::Uninitialized);
    std::memcpy(text.data(), data, size_t(length) * 2);
    return text;
#else
    QString text(qsizetype(length), Qt::Uninitialized);
    for (quint32 i = 0; i < length; ++i)
        text[i] = QChar(qFromLittleEndian<quint16>(data + 2 * i));
    return text;
#endif
}

} // namespace stagecraft
