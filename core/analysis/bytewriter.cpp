#include "core/analysis/bytewriter.h"

#include <cstring>

namespace stagecraft {

void ByteWriter::writeDouble(double value)
{
    quint64 bits = 0;
    static_assert(sizeof bits == sizeof value);
    std::memcpy(&bits, &value, sizeof bits);
    writeI64(qint64(bits));
}

void ByteWriter::writeString(const QString &text)
{
    writeU32(quint32(text.size()));
#if Q_BYTE_ORDER == Q_LITTLE_ENDIAN
    m_bytes.append(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
#else
    for (QChar c : text) {
        char unit[2];
        qToLittleEndian<quint16>(c.unicode(), unit);
        m_bytes.append(unit, 2);
    }
#endif
}

} // namespace stagecraft
