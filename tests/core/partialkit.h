// A classroom kit with parts taken out, for the tests of `kit show --check` and the kit
// dialog: a kit as the instructor's export wrote it, unpacked, some cache entries and base
// images dropped (the manifests rewritten, so it still verifies whole), and packed again.
// A kit made by `kit export` is complete; one carried around for a term may not be.
#pragma once

#include "core/builder/cachelayout.h"
#include "core/oci/layerextractor.h"
#include "core/oci/layerwriter.h"
#include "core/store/imagestore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

namespace stagecraft::test {

// Writes `out`: `kit` without the cache entries `keys` and the images named `images`.
// Returns an error message, empty on success.
inline QString makePartialKit(const QString &kit, const QString &out, const QStringList &keys,
                              const QStringList &images)
{
    QTemporaryDir scratch;
    const QString layoutDir = scratch.filePath(QStringLiteral("kit"));
    QFile in(kit);
    if (!in.open(QIODevice::ReadOnly))
        return in.errorString();
    ExtractOptions extract;
    extract.preserveOwnership = false;
    extract.createDevices = false;
    extract.applyWhiteouts = false;
    if (auto e = LayerExtractor::extract(&in, layoutDir, extract); !e)
        return e.error().message;
    auto cache = CacheLayout::open(layoutDir);
    if (!cache)
        return cache.error().message;
    CacheIndex index = (*cache)->index();
    for (const QString &key : keys)
        if (index.entries.remove(key) != 1)
            return QStringLiteral("the kit has no entry ") + key;
    auto blobsFrom =
        ImageStore::open(scratch.filePath(QStringLiteral("store"))); // every blob is there already
    if (!blobsFrom)
        return blobsFrom.error().message;
    if (auto w = CacheLayout::write(*blobsFrom, index, layoutDir); !w)
        return w.error().message;
    QFile indexFile(layoutDir + QStringLiteral("/index.json"));
    if (!indexFile.open(QIODevice::ReadOnly))
        return indexFile.errorString();
    QJsonObject top = QJsonDocument::fromJson(indexFile.readAll()).object();
    indexFile.close();
    QJsonArray kept;
    for (const QJsonValue &m : top.value(QStringLiteral("manifests")).toArray())
        if (!images.contains(m.toObject()
                                 .value(QStringLiteral("annotations"))
                                 .toObject()
                                 .value(QStringLiteral("org.opencontainers.image.ref.name"))
                                 .toString()))
            kept.append(m);
    top.insert(QStringLiteral("manifests"), kept);
    if (!indexFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return indexFile.errorString();
    indexFile.write(QJsonDocument(top).toJson());
    indexFile.close();
    QFile packed(out);
    if (!packed.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return packed.errorString();
    LayerWriteOptions options;
    options.compression = Compression::None;
    options.uid = 0;
    options.gid = 0;
    if (auto w = LayerWriter::writeDirectory(layoutDir, &packed, options); !w)
        return w.error().message;
    return {};
}

} // namespace stagecraft::test
