#include "core/oci/parallelgzip.h"

#include <QThread>

#include <algorithm>

#include <libdeflate.h>

namespace stagecraft {

ParallelGzip::ParallelGzip(int level, std::function<bool(const char *, qint64)> emit, int threads)
    : m_level(std::clamp(level, 1, 12))
    , m_inFlight(std::max(1, threads > 0 ? threads : QThread::idealThreadCount()) + 1)
    , m_emit(std::move(emit))
{
    m_pending.reserve(MemberInput);
}

ParallelGzip::~ParallelGzip()
{
    // Members still being compressed (after an error) are waited for: their threads read
    // buffers this object owns.
    for (auto &member : m_members)
        member.wait();
}

QByteArray ParallelGzip::compressMember(QByteArrayView input, int level)
{
    libdeflate_compressor *compressor = libdeflate_alloc_compressor(level);
    if (!compressor)
        return {};
    QByteArray out(qsizetype(libdeflate_gzip_compress_bound(compressor, size_t(input.size()))),
                   Qt::Uninitialized);
    const size_t written = libdeflate_gzip_compress(compressor, input.data(), size_t(input.size()),
                                                    out.data(), size_t(out.size()));
    libdeflate_free_compressor(compressor);
    if (written == 0)
        return {};
    out.truncate(qsizetype(written));
    return out;
}

bool ParallelGzip::write(const char *data, qint64 length)
{
    while (length > 0) {
        const qint64 room = MemberInput - m_pending.size();
        const qint64 n = std::min(room, length);
        m_pending.append(data, qsizetype(n));
        data += n;
        length -= n;
        if (m_pending.size() == MemberInput && !submit())
            return false;
    }
    return true;
}

bool ParallelGzip::submit()
{
    // Each member owns its input: the buffer moves into the task.
    m_members.push_back(std::async(std::launch::async, [input = std::move(m_pending), level = m_level] {
        return compressMember(input, level);
    }));
    m_anyMember = true;
    m_pending = QByteArray();
    m_pending.reserve(MemberInput);
    while (int(m_members.size()) > m_inFlight) {
        if (!emitOldest())
            return false;
    }
    return true;
}

bool ParallelGzip::emitOldest()
{
    const QByteArray member = m_members.front().get();
    m_members.pop_front();
    if (member.isEmpty()) {
        m_error = QStringLiteral("gzip compression failed");
        return false;
    }
    if (!m_emit(member.constData(), member.size())) {
        if (m_error.isEmpty())
            m_error = QStringLiteral("cannot write the compressed layer");
        return false;
    }
    return true;
}

bool ParallelGzip::finish()
{
    if ((!m_pending.isEmpty() || !m_anyMember) && !submit())
        return false;
    while (!m_members.empty()) {
        if (!emitOldest())
            return false;
    }
    return true;
}

} // namespace stagecraft
