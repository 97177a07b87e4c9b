// Images made in a test from layer tarballs (fixtures::makeTar): an OCI layout on disk with
// a config and history, for tests of what reads whole images (package sizes, the treemap).
#pragma once

#include "core/oci/ocilayout.h"
#include "layerfixtures.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace fixtures {

// Writes an image of `layers` (uncompressed tars, bottom first; `createdBy` per layer) into
// the OCI layout `dir` under the name "test"; returns the layout's path, empty on failure.
inline QString writeOciImage(const QString &dir, const QList<QList<TarEntry>> &layers,
                             const QStringList &createdBy = {})
{
    using namespace stagecraft;
    auto layout = OciLayout::create(dir);
    if (!layout)
        return {};
    QJsonArray diffIds, history, manifestLayers;
    for (qsizetype i = 0; i < layers.size(); ++i) {
        const QByteArray tar = makeTar(layers[i]);
        const QString mediaType = QStringLiteral("application/vnd.oci.image.layer.v1.tar");
        auto blob = layout->writeBlob(tar, mediaType);
        if (!blob)
            return {};
        diffIds.append(blob->digest.toString());
        history.append(QJsonObject{
            {QStringLiteral("created_by"), createdBy.value(i, QStringLiteral("RUN layer %1").arg(i))}});
        manifestLayers.append(blob->toJson());
    }
    const QJsonObject config{
        {QStringLiteral("architecture"), QStringLiteral("amd64")},
        {QStringLiteral("os"), QStringLiteral("linux")},
        {QStringLiteral("rootfs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                               {QStringLiteral("diff_ids"), diffIds}}},
        {QStringLiteral("history"), history}};
    auto configBlob = layout->writeBlob(QJsonDocument(config).toJson(QJsonDocument::Compact),
                                        QStringLiteral("application/vnd.oci.image.config.v1+json"));
    if (!configBlob)
        return {};
    const QJsonObject manifest{
        {QStringLiteral("schemaVersion"), 2},
        {QStringLiteral("mediaType"), QStringLiteral("application/vnd.oci.image.manifest.v1+json")},
        {QStringLiteral("config"), configBlob->toJson()},
        {QStringLiteral("layers"), manifestLayers}};
    auto manifestBlob = layout->writeBlob(QJsonDocument(manifest).toJson(QJsonDocument::Compact),
                                          QStringLiteral("application/vnd.oci.image.manifest.v1+json"));
    if (!manifestBlob || !layout->addManifest(*manifestBlob, QStringLiteral("test")))
        return {};
    return dir;
}

} // namespace fixtures
