#include "core/analysis/packagesizes.h"

#include "core/oci/image.h"
#include "core/oci/layerreader.h"

#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QSet>
#include <QtEndian>

#include <algorithm>
#include <vector>

#include <zlib.h>

namespace stagecraft {

namespace {

const QString kDpkgStatus = QStringLiteral("/var/lib/dpkg/status");
const QString kDpkgInfo = QStringLiteral("/var/lib/dpkg/info");
const QString kDpkgStatusDir = QStringLiteral("/var/lib/dpkg/status.d"); // distroless
const QStringList kApkDatabases{QStringLiteral("/lib/apk/db/installed"),
                                QStringLiteral("/usr/lib/apk/db/installed")};
constexpr char kCacheMagic[8] = {'S', 'C', 'P', 'K', 'G', 'D', 'B', '3'};
constexpr qsizetype kCacheHeader = 8 + 4; // magic, CRC-32 of the payload

// CRC-32, as the analysis cache: it catches a damaged file at memory speed, where SHA-256
// of a big image's lists (10 MB and more) took longer than reading them back.
QByteArray cacheChecksum(QByteArrayView payload)
{
    const quint32 crc = quint32(crc32_z(
        crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef *>(payload.data()), z_size_t(payload.size())));
    QByteArray out(4, Qt::Uninitialized);
    qToLittleEndian(crc, out.data());
    return out;
}

int childNamed(const FileTree &tree, int id, QStringView name)
{
    for (int child : tree.node(id).children)
        if (tree.node(child).name == name)
            return child;
    return -1;
}

bool isFile(const FileTree &tree, int id)
{
    return id >= 0 && tree.node(id).type == EntryType::File;
}

QString cachePath(const QString &cacheDir, const Image &image)
{
    return cacheDir + u'/' + image.manifest.config.digest.toString().section(u':', -1) +
           QStringLiteral(".packagedb");
}

// The cache holds the databases read for the paths asked then; a different list (another
// version of databasePaths()) is a miss.
std::optional<QHash<QString, QByteArray>> readCache(const QString &path, const QStringList &wanted,
                                                    QStringList *problems)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() > PackageSizes::kMaxTotalBytes + (16 << 20))
        return std::nullopt;
    const QByteArray bytes = file.readAll();
    if (bytes.size() < kCacheHeader || !bytes.startsWith(QByteArrayView(kCacheMagic, 8)))
        return std::nullopt;
    const QByteArrayView payload = QByteArrayView(bytes).sliced(kCacheHeader);
    if (cacheChecksum(payload) != QByteArrayView(bytes).sliced(8, 4))
        return std::nullopt;
    const QByteArray raw =
        QByteArray::fromRawData(payload.data(), payload.size()); // no copy: `bytes` lives on
    QDataStream in(raw);
    in.setVersion(QDataStream::Qt_6_4);
    QHash<QString, QByteArray> databases;
    QStringList kept;
    QStringList asked;
    in >> asked >> databases >> kept;
    if (in.status() != QDataStream::Ok || asked != wanted)
        return std::nullopt;
    *problems += kept;
    return databases;
}

void writeCache(const QString &path, const QStringList &wanted, const QHash<QString, QByteArray> &databases,
                const QStringList &problems)
{
    QByteArray payload;
    {
        QDataStream out(&payload, QIODevice::WriteOnly);
        out.setVersion(QDataStream::Qt_6_4);
        out << wanted << databases << problems;
    }
    QDir().mkpath(path.section(u'/', 0, -2));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return; // a cache that cannot be written only costs the next run a read
    file.write(kCacheMagic, 8);
    file.write(cacheChecksum(payload));
    file.write(payload);
    file.commit();
}

} // namespace

QStringList PackageSizes::databasePaths(const FileTree &tree)
{
    QStringList paths;
    if (isFile(tree, tree.find(kDpkgStatus))) {
        paths.append(kDpkgStatus);
        if (const int info = tree.find(kDpkgInfo); info >= 0)
            for (int child : tree.node(info).children)
                if (isFile(tree, child) && tree.node(child).name.endsWith(u".list"))
                    paths.append(kDpkgInfo + u'/' + tree.node(child).name);
    }
    if (const int dir = tree.find(kDpkgStatusDir); dir >= 0)
        for (int child : tree.node(dir).children)
            if (isFile(tree, child) && paths.size() < kMaxDatabases)
                paths.append(kDpkgStatusDir + u'/' + tree.node(child).name);
    for (const QString &apk : kApkDatabases)
        if (isFile(tree, tree.find(apk)))
            paths.append(apk);

    // Python distributions and node packages can be anywhere: one walk over the tree.
    QList<int> stack{FileTree::Root};
    const auto addPackageJson = [&](int dir) {
        const int json = childNamed(tree, dir, u"package.json");
        if (isFile(tree, json) && paths.size() < kMaxDatabases)
            paths.append(tree.path(json));
    };
    while (!stack.isEmpty() && paths.size() < kMaxDatabases) {
        const int id = stack.takeLast();
        const FileNode &node = tree.node(id);
        if (node.type != EntryType::Directory)
            continue;
        if (node.name == u"node_modules") {
            for (int child : node.children) {
                const FileNode &c = tree.node(child);
                if (c.type != EntryType::Directory || c.name.startsWith(u'.'))
                    continue;
                if (c.name.startsWith(u'@')) {
                    for (int scoped : c.children)
                        if (tree.node(scoped).type == EntryType::Directory)
                            addPackageJson(scoped);
                } else {
                    addPackageJson(child);
                }
            }
        } else if (node.name.endsWith(u".dist-info")) {
            const int record = childNamed(tree, id, u"RECORD");
            if (isFile(tree, record))
                paths.append(tree.path(record));
        }
        stack.append(node.children);
    }
    return paths;
}

QHash<QString, QByteArray> PackageSizes::readDatabases(const FileTree &tree, const QStringList &paths,
                                                       const LayerOpener &open, QStringList *problems,
                                                       const CancellationToken &cancel)
{
    QHash<QString, QByteArray> out;
    QMap<int, QSet<QString>> byLayer; // layer -> relative paths (as layer entries spell them)
    for (const QString &path : paths) {
        const int id = tree.find(path);
        if (!isFile(tree, id))
            continue;
        const FileNode &node = tree.node(id);
        if (node.size > PackageDatabase::kMaxDatabaseBytes) {
            problems->append(QStringLiteral("%1: %2 bytes, more than a package database may hold")
                                 .arg(path)
                                 .arg(node.size));
            continue;
        }
        byLayer[node.layer].insert(path.mid(1));
    }
    qint64 total = 0;
    for (auto it = byLayer.begin(); it != byLayer.end(); ++it) {
        if (cancel.isCancelled())
            break;
        auto blob = open(it.key());
        if (!blob) {
            problems->append(QStringLiteral("layer %1: %2").arg(it.key()).arg(blob.error().message));
            continue;
        }
        LayerReader reader(blob->get());
        QSet<QString> &wanted = it.value();
        while (!wanted.isEmpty() && !cancel.isCancelled()) {
            auto entry = reader.next();
            if (!entry) {
                problems->append(QStringLiteral("layer %1: %2").arg(it.key()).arg(entry.error().message));
                break;
            }
            if (!*entry)
                break;
            const LayerEntry &e = **entry;
            if (e.type != EntryType::File || !wanted.contains(e.path))
                continue;
            wanted.remove(e.path);
            if (e.size > PackageDatabase::kMaxDatabaseBytes || total + e.size > kMaxTotalBytes) {
                problems->append(
                    QStringLiteral("/%1: not read, the databases' size bound is reached").arg(e.path));
                continue;
            }
            QByteArray content(e.size, Qt::Uninitialized);
            qint64 got = 0;
            while (got < e.size) {
                const qint64 n = reader.read(content.data() + got, e.size - got);
                if (n <= 0)
                    break;
                got += n;
            }
            if (got != e.size) {
                problems->append(QStringLiteral("/%1: the layer ends inside it").arg(e.path));
                content.truncate(got);
            }
            total += content.size();
            out.insert(u'/' + e.path, content);
        }
        for (const QString &missing : std::as_const(wanted))
            problems->append(QStringLiteral("/%1: not found in layer %2").arg(missing).arg(it.key()));
    }
    return out;
}

int PackageSizes::resolve(const FileTree &tree, const QString &path)
{
    QString current = path;
    for (int hop = 0; hop <= kMaxSymlinkHops; ++hop) {
        // Most paths exist as written: the tree indexes paths literally.
        if (const int id = tree.find(current); id >= 0)
            return id;
        // Find the first component that is a symlink and substitute its target.
        const QStringList parts = current.split(u'/', Qt::SkipEmptyParts);
        QString prefix;
        bool replaced = false;
        for (qsizetype i = 0; i + 1 < parts.size(); ++i) {
            const QString next = prefix + u'/' + parts[i];
            const int id = tree.find(next);
            if (id < 0)
                return -1;
            const FileNode &node = tree.node(id);
            if (node.type == EntryType::Symlink) {
                const auto target = PackageDatabase::normalizePath(
                    prefix.isEmpty() ? u"/" : QStringView(prefix), node.linkTarget);
                if (!target)
                    return -1;
                current = *target + u'/' + parts.mid(i + 1).join(u'/');
                replaced = true;
                break;
            }
            if (node.type != EntryType::Directory)
                return -1;
            prefix = next;
        }
        if (!replaced)
            return -1;
    }
    return -1;
}

PackageSizeReport PackageSizes::compute(const ImageAnalysis &analysis,
                                        const QHash<QString, QByteArray> &databases)
{
    PackageSizeReport report;
    const FileTree &tree = analysis.finalTree();
    report.imageBytes = tree.totalSize();

    struct Listed
    {
        PackageRecord record;
        QString database;
    };
    QList<Listed> listed;
    if (const auto status = databases.constFind(kDpkgStatus); status != databases.cend()) {
        ParsedDatabase db = PackageDatabase::parseDpkgStatus(*status);
        report.malformed += db.malformed;
        for (PackageRecord &p : db.packages) {
            QString list = kDpkgInfo + u'/' + p.name + u':' + p.architecture + QStringLiteral(".list");
            if (!databases.contains(list))
                list = kDpkgInfo + u'/' + p.name + QStringLiteral(".list");
            if (const auto bytes = databases.constFind(list); bytes != databases.cend())
                p.files = PackageDatabase::parseFileList(*bytes, &report.malformed);
            listed.append({std::move(p), databases.contains(list) ? list : kDpkgStatus});
        }
    }
    for (auto it = databases.cbegin(); it != databases.cend(); ++it) {
        const QString &path = it.key();
        if (path.startsWith(kDpkgStatusDir + u'/') && !path.endsWith(u".md5sums")) {
            ParsedDatabase db = PackageDatabase::parseDpkgStatus(*it, false);
            report.malformed += db.malformed;
            const auto sums = databases.constFind(path + QStringLiteral(".md5sums"));
            for (PackageRecord &p : db.packages) {
                if (sums != databases.cend() && db.packages.size() == 1)
                    p.files = PackageDatabase::parseMd5sums(*sums, &report.malformed);
                listed.append({std::move(p), path});
            }
        } else if (kApkDatabases.contains(path)) {
            ParsedDatabase db = PackageDatabase::parseApkInstalled(*it);
            report.malformed += db.malformed;
            for (PackageRecord &p : db.packages)
                listed.append({std::move(p), path});
        } else if (path.endsWith(u".dist-info/RECORD")) {
            if (auto p = PackageDatabase::parsePythonRecord(*it, path, &report.malformed))
                listed.append({std::move(*p), path});
        } else if (path.endsWith(u"/package.json") && path.contains(u"/node_modules/")) {
            if (auto p = PackageDatabase::parseNodePackage(*it, path, &report.malformed))
                listed.append({std::move(*p), path});
        }
    }

    // Per node, the last package that took it (-1: none yet): whether this package already
    // counted a file and whether any package did (the union's bytes), without two sets of
    // hundreds of thousands of ids.
    std::vector<int> takenBy(size_t(tree.idBound()), -1);
    for (qsizetype number = 0; number < listed.size(); ++number) {
        const Listed &l = listed[number];
        PackageSize size;
        size.manager = l.record.manager;
        size.name = l.record.name;
        size.version = l.record.version;
        size.database = l.database;
        const auto take = [&](int id) {
            const FileNode &node = tree.node(id);
            int &taker = takenBy[size_t(id)];
            if (node.type == EntryType::Directory || taker == int(number))
                return;
            if (taker < 0)
                report.packageBytes += node.size;
            taker = int(number);
            size.nodes.append(id);
            size.bytes += node.size;
            ++size.files;
            if (size.layer < 0 || node.layer < size.layer)
                size.layer = node.layer;
        };
        // A package lists a directory's files one after another: the directory is looked up
        // once and each file as its child; what is not there as written goes through resolve().
        QStringView lastDir;
        int lastDirId = -1;
        for (const QString &file : l.record.files) {
            const qsizetype slash = file.lastIndexOf(u'/');
            int id = -1;
            // Only where find() would read the same components: no empty name at the end
            // and no slash doubled before it.
            if (slash >= 0 && slash + 1 < file.size() && (slash == 0 || file[slash - 1] != u'/')) {
                const QStringView dir = QStringView(file).first(slash);
                if (lastDir.isNull() || dir != lastDir) {
                    lastDir = dir;
                    lastDirId = tree.find(dir);
                }
                if (lastDirId >= 0)
                    id = tree.child(lastDirId, QStringView(file).sliced(slash + 1));
            }
            if (id < 0)
                id = resolve(tree, file);
            if (id < 0)
                ++size.missingFiles;
            else
                take(id);
        }
        if (!l.record.directory.isEmpty()) {
            // The package's tree, without the packages nested in its own node_modules.
            QList<int> stack{tree.find(l.record.directory)};
            while (!stack.isEmpty()) {
                const int id = stack.takeLast();
                if (id < 0)
                    continue;
                const FileNode &node = tree.node(id);
                if (node.type != EntryType::Directory) {
                    take(id);
                    continue;
                }
                for (int child : node.children)
                    if (tree.node(child).name != u"node_modules")
                        stack.append(child);
            }
        }
        if (size.layer < 0)
            if (const int db = tree.find(l.database); db >= 0)
                size.layer = tree.node(db).layer;
        report.packages.append(std::move(size));
    }
    std::sort(report.packages.begin(), report.packages.end(), [](const PackageSize &a, const PackageSize &b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.name < b.name;
    });
    return report;
}

Expected<PackageSizeReport> PackageSizes::ofImage(const Image &image, const ImageAnalysis &analysis,
                                                  const QString &cacheDir, const CancellationToken &cancel)
{
    QStringList problems;
    std::optional<QHash<QString, QByteArray>> databases;
    const FileTree &tree = analysis.finalTree();
    const QStringList wanted = databasePaths(tree);
    const QString cache = cacheDir.isEmpty() ? QString() : cachePath(cacheDir, image);
    if (!cache.isEmpty())
        databases = readCache(cache, wanted, &problems);
    const bool fromCache = databases.has_value();
    if (!databases) {
        databases = readDatabases(
            tree, wanted, [&image](int layer) { return image.openLayer(layer); }, &problems, cancel);
        if (cancel.isCancelled())
            return failCancelled();
        if (!cache.isEmpty())
            writeCache(cache, wanted, *databases, problems);
    }
    PackageSizeReport report = compute(analysis, *databases);
    report.problems = problems;
    report.fromCache = fromCache;
    return report;
}

} // namespace stagecraft
