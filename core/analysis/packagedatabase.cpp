#include "core/analysis/packagedatabase.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace stagecraft {

namespace {

// Calls `line` for each line of `bytes` (without its "\n" or a "\r" before it); a line
// longer than the bound is counted in `malformed` and passed as nullopt so a caller can
// drop the record it belonged to. At most the database bound is looked at.
template <typename F> void forEachLine(const QByteArray &bytes, int *malformed, F &&line)
{
    const qsizetype size = qMin<qsizetype>(bytes.size(), PackageDatabase::kMaxDatabaseBytes);
    qsizetype start = 0;
    while (start < size) {
        qsizetype end = bytes.indexOf('\n', start);
        if (end < 0 || end > size)
            end = size;
        qsizetype length = end - start;
        if (length > 0 && bytes.at(start + length - 1) == '\r')
            --length;
        if (length > PackageDatabase::kMaxLineLength) {
            ++*malformed;
            line(std::optional<QByteArrayView>());
        } else {
            line(std::optional<QByteArrayView>(QByteArrayView(bytes.constData() + start, length)));
        }
        start = end + 1;
    }
}

QString text(QByteArrayView bytes)
{
    return QString::fromUtf8(bytes).trimmed();
}

bool plausibleName(const QString &name)
{
    if (name.isEmpty() || name.size() > 256)
        return false;
    for (const QChar c : name)
        if (c.unicode() < 0x20 || c == u'/')
            return false;
    return true;
}

// The last path component of `path`.
QStringView baseName(QStringView path)
{
    const qsizetype slash = path.lastIndexOf(u'/');
    return slash < 0 ? path : path.mid(slash + 1);
}

QStringView parentOf(QStringView path)
{
    const qsizetype slash = path.lastIndexOf(u'/');
    return slash <= 0 ? QStringView(u"/") : path.left(slash);
}

// One RECORD field: plain, or quoted with "" for a quote (Python's csv module).
QString csvField(QByteArrayView line, qsizetype *pos)
{
    QByteArray out;
    qsizetype i = *pos;
    if (i < line.size() && line[i] == '"') {
        ++i;
        while (i < line.size()) {
            if (line[i] == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    out.append('"');
                    i += 2;
                    continue;
                }
                ++i;
                break;
            }
            out.append(line[i++]);
        }
        while (i < line.size() && line[i] != ',')
            ++i;
    } else {
        const qsizetype comma = line.indexOf(',', i);
        const qsizetype end = comma < 0 ? line.size() : comma;
        out = line.sliced(i, end - i).toByteArray();
        i = end;
    }
    *pos = i < line.size() ? i + 1 : i;
    return QString::fromUtf8(out);
}

} // namespace

QString packageManagerName(PackageManager manager)
{
    switch (manager) {
    case PackageManager::Dpkg: return QStringLiteral("dpkg");
    case PackageManager::Apk: return QStringLiteral("apk");
    case PackageManager::Python: return QStringLiteral("python");
    case PackageManager::Node: return QStringLiteral("node");
    }
    return {};
}

namespace {

// An absolute path with no empty, "." or ".." component and no trailing slash is its own
// normal form; package lists are almost all like that, and splitting and joining each of
// their hundreds of thousands of lines again showed in every `packages` run.
bool isNormalAbsolute(QStringView path)
{
    if (path.size() < 2 || path.front() != u'/')
        return false;
    qsizetype start = 1;
    while (true) {
        const qsizetype slash = path.indexOf(u'/', start);
        const QStringView part = path.sliced(start, (slash < 0 ? path.size() : slash) - start);
        if (part.isEmpty() || part == u"." || part == u"..")
            return false;
        if (slash < 0)
            return true;
        start = slash + 1;
    }
}

} // namespace

std::optional<QString> PackageDatabase::normalizePath(QStringView base, QStringView path)
{
    if (isNormalAbsolute(path))
        return path.toString();
    QStringList parts;
    const auto add = [&parts](QStringView p) {
        for (const QStringView part : p.split(u'/')) {
            if (part.isEmpty() || part == u".")
                continue;
            if (part == u"..") {
                if (parts.isEmpty())
                    return false;
                parts.removeLast();
                continue;
            }
            parts.append(part.toString());
        }
        return true;
    };
    if (!path.startsWith(u'/') && !add(base))
        return std::nullopt;
    if (!add(path))
        return std::nullopt;
    return u'/' + parts.join(u'/');
}

ParsedDatabase PackageDatabase::parseDpkgStatus(const QByteArray &bytes, bool statusRequired)
{
    ParsedDatabase db;
    PackageRecord current;
    current.manager = PackageManager::Dpkg;
    bool installed = false;
    bool broken = false;
    bool any = false;
    const auto finish = [&] {
        if (any) {
            if (broken || !plausibleName(current.name))
                ++db.malformed;
            else if (installed && db.packages.size() < kMaxPackages)
                db.packages.append(current);
            else if (installed)
                ++db.malformed;
        }
        current = PackageRecord{};
        current.manager = PackageManager::Dpkg;
        installed = !statusRequired;
        broken = any = false;
    };
    installed = !statusRequired;
    forEachLine(bytes, &db.malformed, [&](std::optional<QByteArrayView> line) {
        if (!line) {
            broken = any = true;
            return;
        }
        if (line->trimmed().isEmpty()) {
            finish();
            return;
        }
        any = true;
        if (line->startsWith(' ') || line->startsWith('\t'))
            return; // a continuation (Description, Conffiles)
        const qsizetype colon = line->indexOf(':');
        if (colon <= 0) {
            broken = true;
            return;
        }
        const QByteArrayView field = line->first(colon);
        const QByteArrayView value = line->sliced(colon + 1);
        if (field.compare("Package", Qt::CaseInsensitive) == 0)
            current.name = text(value);
        else if (field.compare("Version", Qt::CaseInsensitive) == 0)
            current.version = text(value);
        else if (field.compare("Architecture", Qt::CaseInsensitive) == 0)
            current.architecture = text(value);
        else if (field.compare("Status", Qt::CaseInsensitive) == 0)
            // "want flag status": only "installed" has its files on disk.
            installed = text(value).split(u' ', Qt::SkipEmptyParts).value(2) == u"installed";
    });
    finish();
    return db;
}

QStringList PackageDatabase::parseFileList(const QByteArray &bytes, int *malformed)
{
    QStringList files;
    forEachLine(bytes, malformed, [&](std::optional<QByteArrayView> line) {
        if (!line || line->isEmpty())
            return;
        const QString path = QString::fromUtf8(*line);
        const std::optional<QString> normal =
            path.startsWith(u'/') ? normalizePath(u"/", path) : std::nullopt;
        if (!normal || files.size() >= kMaxFiles) {
            ++*malformed;
            return;
        }
        if (*normal != u"/" && *normal != u"/.")
            files.append(*normal);
    });
    return files;
}

QStringList PackageDatabase::parseMd5sums(const QByteArray &bytes, int *malformed)
{
    QStringList files;
    forEachLine(bytes, malformed, [&](std::optional<QByteArrayView> line) {
        if (!line || line->isEmpty())
            return;
        const qsizetype space = line->indexOf(' ');
        qsizetype start = space;
        while (start >= 0 && start < line->size() && line->at(start) == ' ')
            ++start;
        const std::optional<QString> normal =
            space > 0 && start < line->size() ? normalizePath(u"/", QString::fromUtf8(line->sliced(start)))
                                              : std::nullopt;
        if (!normal || *normal == u"/" || files.size() >= kMaxFiles) {
            ++*malformed;
            return;
        }
        files.append(*normal);
    });
    return files;
}

ParsedDatabase PackageDatabase::parseApkInstalled(const QByteArray &bytes)
{
    ParsedDatabase db;
    PackageRecord current;
    current.manager = PackageManager::Apk;
    QString directory = QStringLiteral("/");
    bool broken = false;
    bool any = false;
    int files = 0;
    const auto finish = [&] {
        if (any) {
            if (broken || !plausibleName(current.name) || db.packages.size() >= kMaxPackages)
                ++db.malformed;
            else
                db.packages.append(current);
        }
        current = PackageRecord{};
        current.manager = PackageManager::Apk;
        directory = QStringLiteral("/");
        broken = any = false;
    };
    forEachLine(bytes, &db.malformed, [&](std::optional<QByteArrayView> line) {
        if (!line) {
            broken = any = true;
            return;
        }
        if (line->isEmpty()) {
            finish();
            return;
        }
        any = true;
        if (line->size() < 2 || line->at(1) != ':') {
            broken = true;
            return;
        }
        const QString value = QString::fromUtf8(line->sliced(2));
        switch (line->at(0)) {
        case 'P': current.name = value.trimmed(); break;
        case 'V': current.version = value.trimmed(); break;
        case 'F': {
            const auto normal = normalizePath(u"/", value);
            if (!normal) {
                broken = true;
                return;
            }
            directory = *normal;
            break;
        }
        case 'R': {
            const auto normal = value.contains(u'/') ? std::nullopt : normalizePath(directory, value);
            if (!normal || ++files > kMaxFiles) {
                ++db.malformed; // the file, not the package
                return;
            }
            current.files.append(*normal);
            break;
        }
        default: break;
        }
    });
    finish();
    return db;
}

std::optional<PackageRecord> PackageDatabase::parsePythonRecord(const QByteArray &bytes,
                                                                const QString &recordPath, int *malformed)
{
    const QStringView distInfo = parentOf(recordPath);
    const QStringView siteDir = parentOf(distInfo);
    QStringView dirName = baseName(distInfo);
    if (!dirName.endsWith(u".dist-info")) {
        ++*malformed;
        return std::nullopt;
    }
    dirName.chop(int(qstrlen(".dist-info")));
    const qsizetype dash = dirName.indexOf(u'-');
    PackageRecord package;
    package.manager = PackageManager::Python;
    package.name = (dash < 0 ? dirName : dirName.left(dash)).toString();
    package.version = dash < 0 ? QString() : dirName.mid(dash + 1).toString();
    if (!plausibleName(package.name)) {
        ++*malformed;
        return std::nullopt;
    }
    forEachLine(bytes, malformed, [&](std::optional<QByteArrayView> line) {
        if (!line || line->isEmpty())
            return;
        qsizetype pos = 0;
        const QString path = csvField(*line, &pos);
        const auto normal = path.isEmpty() ? std::nullopt : normalizePath(siteDir, path);
        if (!normal || package.files.size() >= kMaxFiles) {
            ++*malformed;
            return;
        }
        package.files.append(*normal);
    });
    return package;
}

std::optional<PackageRecord> PackageDatabase::parseNodePackage(const QByteArray &bytes,
                                                               const QString &packageJsonPath, int *malformed)
{
    PackageRecord package;
    package.manager = PackageManager::Node;
    package.directory = parentOf(packageJsonPath).toString();
    if (package.directory == u"/") {
        ++*malformed;
        return std::nullopt;
    }
    const QStringView dir = baseName(package.directory);
    const QStringView parent = baseName(parentOf(package.directory));
    package.name = parent.startsWith(u'@') ? parent + u'/' + dir : dir.toString();
    if (bytes.size() <= kMaxDatabaseBytes) {
        QJsonParseError error{};
        const QJsonDocument json = QJsonDocument::fromJson(bytes, &error);
        if (error.error != QJsonParseError::NoError || !json.isObject()) {
            ++*malformed; // still a package: its directory says which
        } else {
            const QJsonObject object = json.object();
            const QString name = object.value(u"name").toString();
            if (plausibleName(name.section(u'/', -1)) && name.size() <= 256)
                package.name = name;
            package.version = object.value(u"version").toString().left(128);
        }
    } else {
        ++*malformed;
    }
    return package;
}

} // namespace stagecraft
