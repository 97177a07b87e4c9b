// gzip for layer blobs, fast enough that compressing is not what a build waits for: the
// input is cut into 1 MiB pieces, each becomes one gzip member (RFC 1952 allows any
// number; every gzip reader, Go's and libarchive's included, reads them one after another)
// compressed by libdeflate on its own thread, and the members are written in order. The
// output depends only on the bytes and the level, never on the number of threads.
#pragma once

#include <QByteArray>
#include <QString>

#include <deque>
#include <functional>
#include <future>

namespace stagecraft {

class ParallelGzip
{
public:
    static constexpr qsizetype MemberInput = 1 << 20;

    // `emit` receives the compressed bytes in order; false from it stops the writer.
    // `threads` <= 0 means one per processor.
    ParallelGzip(int level, std::function<bool(const char *, qint64)> emit, int threads = 0);
    ~ParallelGzip();
    ParallelGzip(const ParallelGzip &) = delete;
    ParallelGzip &operator=(const ParallelGzip &) = delete;

    bool write(const char *data, qint64 length);
    // Compresses what is left (an empty input still gives one empty member) and waits for
    // every member.
    bool finish();

    QString error() const { return m_error; }

    // One gzip member of `input` at `level` (libdeflate's 1..12); empty on failure.
    static QByteArray compressMember(QByteArrayView input, int level);

private:
    bool submit();
    bool emitOldest();

    int m_level;
    int m_inFlight;
    std::function<bool(const char *, qint64)> m_emit;
    QByteArray m_pending;
    std::deque<std::future<QByteArray>> m_members;
    bool m_anyMember = false;
    QString m_error;
};

} // namespace stagecraft
