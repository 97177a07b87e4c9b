// Reads what ByteWriter wrote, bounds-checked: a read past the end or a length that
// does not fit marks the reader failed and returns zero values, so a damaged file is
// refused with one check at the end instead of a check per field.
#pragma once

#include <QByteArrayView>
#include <QString>
#include <QtEndian>

namespace stagecraft {

class ByteReader
{
public:
    explicit ByteReader(QByteArrayView bytes)
        : m_pos(bytes.data())
        , m_end(bytes.data() + bytes.size())
    {}

    bool ok() const { return m_ok; }
    bool atEnd() const { return m_pos == m_end; }
    qsizetype remaining() const { return m_end - m_pos; }
    void setFailed() { m_ok = false; }

    quint8 readU8()
    {
        if (!take(1))
            return 0;
        return quint8(m_pos[-1]);
    }
    quint32 readU32()
    {
        if (!take(4))
            return 0;
        return qFromLittleEndian<quint32>(m_pos - 4);
    }
    qint64 readI64()
    {
        if (!take(8))
            return 0;
        return qFromLittleEndian<qint64>(m_pos - 8);
    }
    double readDouble();
    QString readString();
    // A count of items each at least `minimumItemBytes` long: a count the rest of the
    // data cannot hold fails, so corrupt data never drives a huge allocation.
    quint32 readCount(qsizetype minimumItemBytes)
    {
        const quint32 count = readU32();
        if (qint64(count) * qMax<qsizetype>(1, minimumItemBytes) > remaining()) {
            m_ok = false;
            return 0;
        }
        return count;
    }

private:
    bool take(qsizetype n)
    {
        if (!m_ok || m_end - m_pos < n) {
            m_ok = false;
            return false;
        }
        m_pos += n;
        return true;
    }

    const char *m_pos;
    const char *m_end;
    bool m_ok = true;
};

} // namespace stagecraft
