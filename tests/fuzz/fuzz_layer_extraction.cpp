// libFuzzer entry point for LayerExtractor: any bytes, extracted into a root directory,
// must end in an error or a tree, never a crash or a sanitizer report, and must never
// change anything outside the root. The root lives in a private directory beside a
// "host" sentinel directory; both the sentinel and the private directory's own listing
// are compared after every input.
#include "core/oci/layerextractor.h"

#include <QBuffer>
#include <QByteArray>
#include <QFile>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace stagecraft;

namespace {

void require(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz_layer_extraction: %s\n", what);
        std::abort(); // libFuzzer reports the input that broke the invariant
    }
}

// Removes everything below `fd` (not following symlinks), making directories writable
// and searchable first: a layer may leave them mode 000.
void emptyDirectory(int fd)
{
    DIR *dir = ::fdopendir(::dup(fd));
    if (!dir)
        return;
    QList<QByteArray> names;
    while (struct dirent *e = ::readdir(dir))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
            names << QByteArray(e->d_name);
    ::closedir(dir);
    for (const QByteArray &name : names) {
        struct stat st;
        if (::fstatat(fd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            ::fchmodat(fd, name.constData(), 0700, 0);
            const int child = ::openat(fd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child >= 0) {
                emptyDirectory(child);
                ::close(child);
            }
            ::unlinkat(fd, name.constData(), AT_REMOVEDIR);
        } else {
            ::unlinkat(fd, name.constData(), 0);
        }
    }
}

// Every entry below `path` with its type, mode, size, times, inode and, for files and
// symlinks, content: any change outside the root shows.
void describe(const QByteArray &path, const QByteArray &name, const QByteArray &skip, QByteArray &out)
{
    struct stat st;
    if (::lstat(path.constData(), &st) != 0)
        return;
    out += name + ' ' + QByteArray::number(uint(st.st_mode), 8) + ' ' +
           QByteArray::number(qint64(st.st_size)) + ' ' + QByteArray::number(qint64(st.st_ino)) + ' ' +
           QByteArray::number(qint64(st.st_mtim.tv_sec)) + '.' +
           QByteArray::number(qint64(st.st_mtim.tv_nsec)) + ' ' + QByteArray::number(qint64(st.st_nlink));
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        const ssize_t n = ::readlink(path.constData(), target, sizeof target);
        out += " -> " + QByteArray(target, n > 0 ? n : 0);
    } else if (S_ISREG(st.st_mode)) {
        QFile f(QFile::decodeName(path));
        if (f.open(QIODevice::ReadOnly))
            out += ' ' + f.readAll().toHex();
    }
    out += '\n';
    if (!S_ISDIR(st.st_mode))
        return;
    DIR *dir = ::opendir(path.constData());
    if (!dir)
        return;
    QList<QByteArray> names;
    while (struct dirent *e = ::readdir(dir))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
            names << QByteArray(e->d_name);
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    for (const QByteArray &n : names) {
        const QByteArray child = path + '/' + n;
        if (child == skip)
            out += name + '/' + n + " (root, not compared)\n";
        else
            describe(child, name + '/' + n, skip, out);
    }
}

struct Sandbox
{
    QByteArray base; // private directory: "host" sentinel and "root"
    QByteArray root;
    QByteArray before;
    int rootFd = -1;

    Sandbox()
    {
        QByteArray pattern = qgetenv("TMPDIR");
        if (pattern.isEmpty())
            pattern = "/tmp";
        pattern += "/fuzz-layer-XXXXXX";
        require(::mkdtemp(pattern.data()) != nullptr, "cannot create the temporary directory");
        base = pattern;
        root = base + "/root";
        const QByteArray host = base + "/host";
        require(::mkdir(host.constData(), 0755) == 0 &&
                    ::mkdir(QByteArray(host + "/dir").constData(), 0755) == 0,
                "cannot create the sentinel");
        for (const char *name : {"/secret", "/dir/important"}) {
            QFile f(QFile::decodeName(host + name));
            require(f.open(QIODevice::WriteOnly) && f.write("sentinel") == 8, "cannot write the sentinel");
        }
        require(::symlink("secret", QByteArray(host + "/link").constData()) == 0, "cannot link the sentinel");
        require(::mkdir(root.constData(), 0755) == 0, "cannot create the root");
        rootFd = ::open(root.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        require(rootFd >= 0, "cannot open the root");
        before = snapshot();
    }

    ~Sandbox()
    {
        const int fd = ::open(base.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            emptyDirectory(fd);
            ::close(fd);
        }
        ::close(rootFd);
        ::rmdir(base.constData());
    }
    Sandbox(const Sandbox &) = delete;
    Sandbox &operator=(const Sandbox &) = delete;

    QByteArray snapshot() const
    {
        QByteArray out;
        describe(base, "base", root, out);
        return out;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static Sandbox sandbox;
    QBuffer blob;
    blob.setData(reinterpret_cast<const char *>(data), qsizetype(size));
    blob.open(QIODevice::ReadOnly);
    ExtractOptions options;
    options.createDevices = false;
    options.preserveOwnership = false;
    options.maxTotalSize = qint64(64) << 20; // keeps each run fast; the bounds are tested elsewhere
    options.maxEntries = 10000;
    auto report = LayerExtractor::extract(&blob, QFile::decodeName(sandbox.root), options);
    require(report || !report.error().message.isEmpty(), "an error without a message");
    // The root itself must still be the directory it was (not replaced by a symlink).
    struct stat st;
    require(::lstat(sandbox.root.constData(), &st) == 0 && S_ISDIR(st.st_mode), "the root was replaced");
    ::fchmod(sandbox.rootFd, 0755);
    emptyDirectory(sandbox.rootFd);
    require(sandbox.snapshot() == sandbox.before, "something outside the root changed");
    return 0;
}
