#include "core/analysis/layerindexcache.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

namespace stagecraft {

LayerIndexCache::LayerIndexCache(QString directory)
    : m_directory(std::move(directory))
{}

QString LayerIndexCache::pathFor(const QString &diffId) const
{
    QString name = diffId;
    // Only a digest's own characters reach the file name, so a hostile diff ID in a
    // config cannot point outside the cache directory.
    for (QChar &c : name) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128))
            c = u'-';
    }
    return m_directory + u'/' + name + u".idx";
}

Expected<LayerIndex> LayerIndexCache::load(const QString &diffId) const
{
    if (diffId.isEmpty())
        return fail(QStringLiteral("layer has no diff ID"));
    QFile file(pathFor(diffId));
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("no cached index for %1").arg(diffId));
    auto index = LayerIndex::deserialize(file.readAll());
    if (!index)
        return fail(QStringLiteral("%1: %2").arg(file.fileName(), index.error().message));
    if (index->diffId() != diffId)
        return fail(QStringLiteral("%1 indexes %2, not %3").arg(file.fileName(), index->diffId(), diffId));
    return index;
}

Expected<void> LayerIndexCache::save(const LayerIndex &index) const
{
    if (index.diffId().isEmpty())
        return fail(QStringLiteral("cannot cache the index of a layer without a diff ID"));
    if (!QDir().mkpath(m_directory))
        return fail(QStringLiteral("cannot create the cache directory %1").arg(m_directory));
    QSaveFile file(pathFor(index.diffId()));
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    file.write(index.serialize());
    if (!file.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    return {};
}

} // namespace stagecraft
