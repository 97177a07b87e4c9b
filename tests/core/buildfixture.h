// What the builder's tests share: the busybox image Docker saved (tests/data/images), files
// written into a context, and a built image's files unpacked to read them back.
#pragma once

#include "core/oci/image.h"
#include "core/oci/layerextractor.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

namespace fixtures {

// tests/data/images: base.docker.tar (busybox) and the images Docker built from context/.
inline QString imagesDataDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/images");
}

// Writes `text` to `path`, making its directories.
inline bool writeText(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

// The image's files applied layer over layer into `dir`.
inline bool unpackImage(const stagecraft::Image &image, const QString &dir)
{
    for (int i = 0; i < image.layers.size(); ++i) {
        auto blob = image.openLayer(i);
        if (!blob)
            return false;
        if (!stagecraft::LayerExtractor::extract(blob->get(), dir))
            return false;
    }
    return true;
}

inline QByteArray readBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

} // namespace fixtures
