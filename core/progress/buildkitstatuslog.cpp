#include "core/progress/buildkitstatuslog.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <optional>

namespace stagecraft {

namespace {

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

// A protobuf message read field by field: just the wire format, no schema.
class WireReader
{
public:
    explicit WireReader(QByteArrayView data)
        : m_data(data)
    {}
    bool atEnd() const { return m_pos >= m_data.size(); }
    bool failed() const { return m_failed; }

    struct Field
    {
        int number = 0;
        int type = 0;
        quint64 varint = 0;
        QByteArrayView bytes;
    };

    std::optional<Field> next()
    {
        if (atEnd())
            return std::nullopt;
        const std::optional<quint64> tag = readVarint();
        if (!tag)
            return std::nullopt;
        Field f;
        f.number = int(*tag >> 3);
        f.type = int(*tag & 7);
        switch (f.type) {
        case 0: {
            const std::optional<quint64> v = readVarint();
            if (!v)
                return std::nullopt;
            f.varint = *v;
            break;
        }
        case 1:
            if (!skip(8))
                return std::nullopt;
            break;
        case 2: {
            const std::optional<quint64> length = readVarint();
            if (!length || *length > quint64(m_data.size() - m_pos))
                return fault();
            f.bytes = m_data.sliced(m_pos, qsizetype(*length));
            m_pos += qsizetype(*length);
            break;
        }
        case 5:
            if (!skip(4))
                return std::nullopt;
            break;
        default: return fault(); // groups (3, 4) are not used by BuildKit's messages
        }
        return f;
    }

private:
    std::optional<Field> fault()
    {
        m_failed = true;
        return std::nullopt;
    }
    bool skip(qsizetype n)
    {
        if (n > m_data.size() - m_pos) {
            m_failed = true;
            return false;
        }
        m_pos += n;
        return true;
    }
    std::optional<quint64> readVarint()
    {
        quint64 value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_data.size()) {
                m_failed = true;
                return std::nullopt;
            }
            const auto byte = quint8(m_data[m_pos++]);
            value |= quint64(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return value;
        }
        m_failed = true;
        return std::nullopt;
    }

    QByteArrayView m_data;
    qsizetype m_pos = 0;
    bool m_failed = false;
};

QString text(QByteArrayView bytes)
{
    return QString::fromUtf8(bytes.first(std::min<qsizetype>(bytes.size(), 64 * 1024)));
}

// google.protobuf.Timestamp {seconds = 1, nanos = 2} as RFC 3339 with milliseconds.
std::optional<QString> timestamp(QByteArrayView bytes)
{
    WireReader r(bytes);
    qint64 seconds = 0, nanos = 0;
    while (auto f = r.next()) {
        if (f->number == 1 && f->type == 0)
            seconds = qint64(f->varint);
        else if (f->number == 2 && f->type == 0)
            nanos = qint64(qint32(f->varint));
    }
    if (r.failed() || seconds <= 0) // Go's zero time: unset
        return std::nullopt;
    return QDateTime::fromMSecsSinceEpoch(seconds * 1000 + nanos / 1000000, Qt::UTC)
        .toString(Qt::ISODateWithMs);
}

bool vertex(QByteArrayView bytes, QJsonObject &out)
{
    WireReader r(bytes);
    QJsonArray inputs;
    while (auto f = r.next()) {
        if (f->type == 2 && f->number == 1)
            out.insert(key("digest"), text(f->bytes));
        else if (f->type == 2 && f->number == 2 && inputs.size() < 1000)
            inputs.append(text(f->bytes));
        else if (f->type == 2 && f->number == 3)
            out.insert(key("name"), text(f->bytes));
        else if (f->type == 0 && f->number == 4 && f->varint)
            out.insert(key("cached"), true);
        else if (f->type == 2 && (f->number == 5 || f->number == 6)) {
            if (const auto t = timestamp(f->bytes))
                out.insert(key(f->number == 5 ? "started" : "completed"), *t);
        } else if (f->type == 2 && f->number == 7)
            out.insert(key("error"), text(f->bytes));
    }
    if (!inputs.isEmpty())
        out.insert(key("inputs"), inputs);
    return !r.failed();
}

bool status(QByteArrayView bytes, QJsonObject &out)
{
    WireReader r(bytes);
    while (auto f = r.next()) {
        if (f->type == 2 && f->number == 1)
            out.insert(key("id"), text(f->bytes));
        else if (f->type == 2 && f->number == 2)
            out.insert(key("vertex"), text(f->bytes));
        else if (f->type == 2 && f->number == 3)
            out.insert(key("name"), text(f->bytes));
        else if (f->type == 0 && (f->number == 4 || f->number == 5))
            out.insert(key(f->number == 4 ? "current" : "total"), double(qint64(f->varint)));
        else if (f->type == 2 && f->number >= 6 && f->number <= 8) {
            static const char *names[] = {"timestamp", "started", "completed"};
            if (const auto t = timestamp(f->bytes))
                out.insert(key(names[f->number - 6]), *t);
        }
    }
    return !r.failed();
}

bool log(QByteArrayView bytes, QJsonObject &out)
{
    WireReader r(bytes);
    while (auto f = r.next()) {
        if (f->type == 2 && f->number == 1)
            out.insert(key("vertex"), text(f->bytes));
        else if (f->type == 2 && f->number == 2) {
            if (const auto t = timestamp(f->bytes))
                out.insert(key("timestamp"), *t);
        } else if (f->type == 0 && f->number == 3)
            out.insert(key("stream"), double(qint64(f->varint)));
        else if (f->type == 2 && f->number == 4)
            out.insert(key("data"), QString::fromLatin1(f->bytes.toByteArray().toBase64()));
    }
    return !r.failed();
}

// pb.Range {start = 1, end = 2} of pb.Position {line = 1, character = 2}.
QJsonObject range(QByteArrayView bytes)
{
    QJsonObject out;
    WireReader r(bytes);
    while (auto f = r.next()) {
        if (f->type != 2 || (f->number != 1 && f->number != 2))
            continue;
        WireReader p(f->bytes);
        QJsonObject position;
        while (auto g = p.next())
            if (g->type == 0 && g->number == 1)
                position.insert(key("line"), double(qint32(g->varint)));
        out.insert(key(f->number == 1 ? "start" : "end"), position);
    }
    return out;
}

bool warning(QByteArrayView bytes, QJsonObject &out)
{
    WireReader r(bytes);
    QJsonArray ranges;
    while (auto f = r.next()) {
        if (f->type == 2 && f->number == 1)
            out.insert(key("vertex"), text(f->bytes));
        else if (f->type == 0 && f->number == 2)
            out.insert(key("level"), double(qint64(f->varint)));
        else if (f->type == 2 && f->number == 3)
            out.insert(key("short"),
                       QString::fromLatin1(f->bytes.first(std::min<qsizetype>(f->bytes.size(), 64 * 1024))
                                               .toByteArray()
                                               .toBase64()));
        else if (f->type == 2 && f->number == 5)
            out.insert(key("url"), text(f->bytes));
        else if (f->type == 2 && f->number == 7 && ranges.size() < 100)
            ranges.append(range(f->bytes));
    }
    if (!ranges.isEmpty())
        out.insert(key("range"), ranges);
    return !r.failed();
}

} // namespace

Expected<QByteArray> BuildKitStatusLog::toRawJson(QByteArrayView blob)
{
    if (blob.size() > kMaxBlobBytes)
        return fail(QStringLiteral("build log: %1 bytes, more than the %2 it may have")
                        .arg(blob.size())
                        .arg(kMaxBlobBytes));
    QByteArray out;
    qsizetype pos = 0;
    int index = 0;
    while (pos < blob.size()) {
        ++index;
        if (blob.size() - pos < 4)
            return fail(QStringLiteral("build log: message %1 is cut off in its length").arg(index));
        const quint32 length = quint32(quint8(blob[pos])) | quint32(quint8(blob[pos + 1])) << 8 |
                               quint32(quint8(blob[pos + 2])) << 16 | quint32(quint8(blob[pos + 3])) << 24;
        pos += 4;
        if (qint64(length) > kMaxMessageBytes || qint64(length) > blob.size() - pos)
            return fail(QStringLiteral("build log: message %1 claims %2 bytes, %3 are left")
                            .arg(index)
                            .arg(length)
                            .arg(blob.size() - pos));
        WireReader r(blob.sliced(pos, length));
        pos += length;
        QJsonArray lists[4];
        bool ok = true;
        while (auto f = r.next()) {
            if (f->type != 2 || f->number < 1 || f->number > 4)
                continue;
            QJsonObject item;
            switch (f->number) {
            case 1: ok = vertex(f->bytes, item); break;
            case 2: ok = status(f->bytes, item); break;
            case 3: ok = log(f->bytes, item); break;
            default: ok = warning(f->bytes, item);
            }
            if (!ok)
                break;
            lists[f->number - 1].append(item);
        }
        if (!ok || r.failed())
            return fail(QStringLiteral("build log: message %1 is no StatusResponse protobuf").arg(index));
        QJsonObject solveStatus;
        static const char *names[] = {"vertexes", "statuses", "logs", "warnings"};
        for (int i = 0; i < 4; ++i)
            if (!lists[i].isEmpty())
                solveStatus.insert(key(names[i]), lists[i]);
        out += QJsonDocument(solveStatus).toJson(QJsonDocument::Compact);
        out += '\n';
    }
    return out;
}

} // namespace stagecraft
