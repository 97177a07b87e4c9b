// Hand-made layers for the analysis tests, written one entry per line:
//   "f PATH SIZE" file, "d PATH" directory, "l PATH TARGET" symlink, "h PATH TARGET"
//   hard link, "w PATH" whiteout of PATH, "o PATH" opaque marker of directory PATH.
#pragma once

#include "core/analysis/layerindex.h"

#include <QCryptographicHash>
#include <QStringList>

namespace stagecraft::test {

inline LayerIndex layerFromSpec(const QString &spec, const QString &comment = {})
{
    LayerEntries entries;
    const QStringList lines = spec.split(u';', Qt::SkipEmptyParts);
    for (const QString &raw : lines) {
        const QStringList f = raw.trimmed().split(u' ', Qt::SkipEmptyParts);
        if (f.isEmpty())
            continue;
        LayerEntry e;
        e.path = f.value(1);
        e.mode = 0644;
        const QChar kind = f[0].at(0);
        switch (kind.unicode()) {
        case 'f':
            e.type = EntryType::File;
            e.size = f.value(2).toLongLong();
            break;
        case 'd':
            e.type = EntryType::Directory;
            e.mode = 0755;
            break;
        case 'l':
            e.type = EntryType::Symlink;
            e.linkTarget = f.value(2);
            break;
        case 'h':
            e.type = EntryType::Hardlink;
            e.linkTarget = f.value(2);
            break;
        case 'w': e.type = EntryType::Whiteout; break;
        case 'o': e.type = EntryType::OpaqueWhiteout; break;
        default: break;
        }
        entries.append(e);
    }
    const QString diffId =
        QStringLiteral("sha256:") +
        QString::fromLatin1(
            QCryptographicHash::hash((spec + comment).toUtf8(), QCryptographicHash::Sha256).toHex());
    return LayerIndex::fromEntries(entries, diffId, 0);
}

} // namespace stagecraft::test
