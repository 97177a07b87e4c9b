#include "core/builder/buildrun.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

// The step cache: a JSON file per step key in the store's "build" cache directory, with
// the stage's config and layers after the step; for a --link layer, a file per link key
// with the layer alone. Builder::pruneCaches drops entries whose blobs are gone.

namespace stagecraft {

QString BuildRun::cacheFile(const QString &key) const
{
    return m_builder.store().cacheDir(QStringLiteral("build")) + QLatin1Char('/') + key +
           QStringLiteral(".json");
}

bool BuildRun::loadCache(const QString &key, StageState &state) const
{
    if (m_request.noCache)
        return false;
    QFile f(cacheFile(key));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    auto config = ImageConfig::parse(
        QJsonDocument(o.value(QStringLiteral("config")).toObject()).toJson(QJsonDocument::Compact));
    if (!config)
        return false;
    QList<Descriptor> layers;
    for (const QJsonValue &v : o.value(QStringLiteral("layers")).toArray()) {
        auto d = Descriptor::fromJson(v.toObject());
        if (!d || !m_builder.store().hasBlob(d->digest))
            return false;
        layers.append(*d);
    }
    if (layers.size() != config->diffIds.size())
        return false;
    state.config = *config;
    state.layers = layers;
    state.key = key;
    return true;
}

void BuildRun::saveCache(const QString &key, const StageState &state) const
{
    QJsonArray layers;
    for (const Descriptor &d : state.layers)
        layers.append(d.toJson());
    QJsonObject o;
    o.insert(QStringLiteral("config"), state.config.toJsonObject());
    o.insert(QStringLiteral("layers"), layers);
    // Written atomically: a killed build never leaves a half entry behind.
    QSaveFile f(cacheFile(key));
    if (f.open(QIODevice::WriteOnly)) {
        f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
        f.commit();
    }
}

// The layer a --link step with the same inputs made before, whatever the layers below.
std::optional<std::pair<Descriptor, Digest>> BuildRun::loadLinkedLayer(const QString &linkKey) const
{
    if (m_request.noCache)
        return std::nullopt;
    QFile f(cacheFile(linkKey));
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    auto d = Descriptor::fromJson(o.value(QStringLiteral("layer")).toObject());
    auto diffId = Digest::parse(o.value(QStringLiteral("diffId")).toString());
    if (!d || !diffId || !m_builder.store().hasBlob(d->digest))
        return std::nullopt;
    return std::pair(*d, *diffId);
}

void BuildRun::saveLinkedLayer(const QString &linkKey, const Descriptor &layer, const Digest &diffId) const
{
    QJsonObject o;
    o.insert(QStringLiteral("layer"), layer.toJson());
    o.insert(QStringLiteral("diffId"), diffId.toString());
    QSaveFile f(cacheFile(linkKey));
    if (f.open(QIODevice::WriteOnly)) {
        f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
        f.commit();
    }
}

Expected<QString> BuildRun::importCached(const QString &key)
{
    {
        std::lock_guard lock(m_resultMutex);
        m_cacheKeys.append(key);
    }
    if (m_request.noCache || m_request.cacheFrom.isEmpty() || QFileInfo::exists(cacheFile(key)))
        return QString();
    ImageStore store = m_builder.store();
    for (const auto &source : m_request.cacheFrom) {
        auto fetched = source->fetch(key, store, m_cancel);
        if (!fetched)
            return std::unexpected(fetched.error());
        if (!*fetched)
            continue;
        // Its blobs are in the store, verified: the entry is now the store's own.
        QSaveFile f(cacheFile(key));
        if (!f.open(QIODevice::WriteOnly) ||
            f.write(QJsonDocument(**fetched).toJson(QJsonDocument::Compact)) < 0 || !f.commit())
            return fail(QStringLiteral("cannot write the step cache entry %1").arg(f.fileName()));
        return source->description();
    }
    return QString();
}

} // namespace stagecraft
