// Reads the package databases found in images: dpkg's `status` and `info/*.list`, apk's
// `installed`, a Python distribution's `*.dist-info/RECORD` and a node package's
// `package.json`. Everything comes from an image and is hostile: input is bounded
// (database size, line length, package and file counts), paths are normalised inside the
// root, and malformed entries are skipped and counted, never fatal.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

enum class PackageManager { Dpkg, Apk, Python, Node };

QString packageManagerName(PackageManager manager); // "dpkg", "apk", "python", "node"

// One installed package as its database lists it.
struct PackageRecord
{
    PackageManager manager = PackageManager::Dpkg;
    QString name;
    QString version;
    QString architecture; // dpkg only, to find `name:arch.list`
    // Absolute, normalised paths of what the package installed (as the database spells
    // them: a path may go through a symlinked directory such as /bin → usr/bin).
    QStringList files;
    // A directory whose whole tree (minus nested node_modules) belongs to the package
    // (node), else empty.
    QString directory;
};

struct ParsedDatabase
{
    QList<PackageRecord> packages;
    int malformed = 0; // entries skipped: too long, no name, a path outside the root, …
};

class PackageDatabase
{
public:
    static constexpr qint64 kMaxDatabaseBytes = 64 * 1024 * 1024; // one file read from an image
    static constexpr qsizetype kMaxLineLength = 64 * 1024;
    static constexpr int kMaxPackages = 100'000; // per database
    static constexpr int kMaxFiles = 2'000'000;  // paths per database

    // dpkg's /var/lib/dpkg/status, or one file of status.d/ (distroless): the packages whose
    // Status says "installed" (their files come from info/NAME[:ARCH].list, see
    // parseFileList, or status.d/NAME.md5sums). A status.d entry without a Status field
    // counts as installed, as distroless writes them.
    static ParsedDatabase parseDpkgStatus(const QByteArray &bytes, bool statusRequired = true);
    // A dpkg .list: one absolute path per line. Lines that are not absolute, too long or
    // leave the root are counted in `malformed`.
    static QStringList parseFileList(const QByteArray &bytes, int *malformed);
    // A dpkg .md5sums file ("HASH  PATH", the path relative to the root), which distroless
    // images keep beside each status.d entry instead of a .list.
    static QStringList parseMd5sums(const QByteArray &bytes, int *malformed);
    // apk's /lib/apk/db/installed: "P:" name, "V:" version, "F:" directory, "R:" a file in it.
    static ParsedDatabase parseApkInstalled(const QByteArray &bytes);
    // A wheel's RECORD (CSV: path,hash,size); paths relative to the directory holding the
    // dist-info (`recordPath`'s grandparent). Name and version come from the directory's
    // name, "NAME-VERSION.dist-info".
    static std::optional<PackageRecord> parsePythonRecord(const QByteArray &bytes, const QString &recordPath,
                                                          int *malformed);
    // A package.json in node_modules: its "name" and "version" (the directory's name when
    // the file says none); the package owns the directory holding it.
    static std::optional<PackageRecord> parseNodePackage(const QByteArray &bytes,
                                                         const QString &packageJsonPath, int *malformed);

    // `path` resolved against `base` (both with "/" separators) into an absolute path
    // without ".", ".." or empty components; nullopt when ".." would leave the root.
    static std::optional<QString> normalizePath(QStringView base, QStringView path);
};

} // namespace stagecraft
