#include "core/builder/stagepaths.h"

#include "core/builder/layertree.h"
#include "core/context/pathglob.h"

#include <QFile>

namespace stagecraft {

// A path inside an archive or a stage cleaned to "a/b" form; nothing when it climbs out.
std::optional<QString> cleanInside(const QString &path)
{
    QStringList parts;
    for (const QString &part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            if (parts.isEmpty())
                return std::nullopt;
            parts.removeLast();
            continue;
        }
        parts.append(part);
    }
    return parts.join(QLatin1Char('/'));
}

// Owner names of a stage rootfs, for --chown.
std::optional<qint64> lookupId(const LayerTree &tree, const QString &file, const QString &name)
{
    bool numeric = false;
    const qint64 n = name.toLongLong(&numeric);
    if (numeric)
        return n;
    const auto path = tree.find(file);
    if (!path)
        return std::nullopt;
    QFile f(*path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        const QStringList fields = line.split(QLatin1Char(':'));
        if (fields.size() >= 3 && fields[0] == name)
            return fields[2].toLongLong();
    }
    return std::nullopt;
}

// The stage-relative paths a COPY --from source names: globs expanded component by
// component over the stage's tree (Go filepath.Match per component), sorted.
QStringList expandTreeGlob(const LayerTree &tree, const QString &pattern)
{
    QStringList current{QString()};
    for (const QString &part : pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        QStringList next;
        for (const QString &dir : std::as_const(current)) {
            const QString base = tree.resolveParents(dir);
            if (!PathGlob::hasMeta(part)) {
                const QString candidate = base.isEmpty() ? part : base + QLatin1Char('/') + part;
                if (tree.find(tree.resolveParents(candidate)))
                    next.append(candidate);
                continue;
            }
            if (!base.isEmpty() && !tree.isDirectory(base))
                continue;
            for (const QString &name : tree.list(base))
                if (PathGlob::match(part, name) == PathGlob::Result::Match)
                    next.append(base.isEmpty() ? name : base + QLatin1Char('/') + name);
        }
        current = next;
    }
    current.removeAll(QString());
    current.sort();
    return current;
}

} // namespace stagecraft
