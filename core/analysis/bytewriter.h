// Appends little-endian integers and length-prefixed UTF-16 strings to a byte array:
// the encoding of the analysis cache, chosen so ByteReader can decode it with plain
// memory copies (a QDataStream costs a device call per field, which dominated reopening).
#pragma once

#include <QByteArray>
#include <QString>
#include <QtEndian>

namespace stagecraft {

class ByteWriter
{
public:
    void writeU8(quint8 value) { m_bytes.append(char(value)); }
    void writeU32(quint32 value)
    {
        char word[4];
        qToLittleEndian<quint32>(value, word);
        m_bytes.append(word, 4);
    }
    void writeI64(qint64 value)
    {
        char word[8];
        qToLittleEndian<qint64>(value, word);
        m_bytes.append(word, 8);
    }
    void writeDouble(double value);
    // Length in UTF-16 code units, then the code units little endian.
    void writeString(const QString &text);
    void writeBytes(QByteArrayView bytes) { m_bytes.append(bytes.data(), bytes.size()); }

    qsizetype size() const { return m_bytes.size(); }
    const QByteArray &bytes() const { return m_bytes; }
    QByteArray take() { return std::move(m_bytes); }

private:
    QByteArray m_bytes;
};

} // namespace stagecraft
