#include "core/store/liveleases.h"

#include <QDir>
#include <QFile>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace stagecraft {

namespace {

bool before(const struct timespec &a, const struct timespec &b)
{
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

std::optional<struct timespec> parseStart(const QByteArray &firstLine)
{
    // "<holder> <pid> <seconds>.<nanoseconds>"
    const QList<QByteArray> fields = firstLine.split(' ');
    const QList<QByteArray> parts = fields.value(2).split('.');
    bool secOk = false;
    bool nsecOk = false;
    struct timespec t = {};
    t.tv_sec = time_t(parts.value(0).toLongLong(&secOk));
    t.tv_nsec = long(parts.value(1).toLong(&nsecOk));
    if (fields.size() != 3 || parts.size() != 2 || !secOk || !nsecOk)
        return std::nullopt;
    return t;
}

} // namespace

LiveLeases LiveLeases::read(const QString &storeRoot)
{
    LiveLeases live;
    const QString dir = storeRoot + QStringLiteral("/leases");
    for (const QString &name : QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System)) {
        const QByteArray path = QFile::encodeName(dir + u'/' + name);
        const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
            continue; // ended meanwhile
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            // Nobody holds it: its holder ended without removing it (killed).
            if (::unlink(path.constData()) == 0)
                ++live.staleRemoved;
            ::close(fd);
            continue;
        }
        QFile file;
        QByteArray text;
        if (file.open(fd, QIODevice::ReadOnly, QFileDevice::DontCloseHandle))
            text = file.readAll();
        file.close();
        ::close(fd);
        const QList<QByteArray> lines = text.split('\n');
        std::optional<struct timespec> start = parseStart(lines.value(0));
        if (!start) {
            // Being written (its first line is written right after it is locked): the
            // lease began just now, so everything older than now may be in use.
            struct timespec now = {};
            ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
            start = now;
        }
        if (!live.oldestStart || before(*start, *live.oldestStart))
            live.oldestStart = start;
        for (qsizetype i = 1; i < lines.size(); ++i)
            if (auto digest = Digest::parse(QString::fromLatin1(lines[i])))
                live.kept.insert(*digest);
    }
    return live;
}

bool LiveLeases::mayBeInUse(const QString &path) const
{
    if (!oldestStart)
        return false;
    struct stat st = {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return false;
    return !before(st.st_ctim, *oldestStart);
}

} // namespace stagecraft
