#include "app/cacheoption.h"

#include "core/builder/cacheindex.h"
#include "core/builder/cachelayout.h"
#include "core/builder/remotecache.h"
#include "core/oci/imagemanifest.h"
#include "core/oci/mediatype.h"
#include "core/registry/registryclient.h"
#include "core/registry/registrycredentials.h"
#include "core/registry/registryreference.h"
#include "core/registry/registrysettings.h"

#include <QDir>

namespace stagecraft::app {

Expected<CacheOption> CacheOption::parse(const QString &text, bool exporting)
{
    const QString option = exporting ? QStringLiteral("--cache-to") : QStringLiteral("--cache-from");
    const QString pathKey = exporting ? QStringLiteral("dest") : QStringLiteral("src");
    CacheOption parsed;
    QString type;
    for (const QString &part : text.split(QLatin1Char(','))) {
        const QString key = part.section(QLatin1Char('='), 0, 0);
        const QString value = part.section(QLatin1Char('='), 1);
        if (key == QLatin1String("type"))
            type = value;
        else if (key == pathKey)
            parsed.path = value;
        else if (key == QLatin1String("ref"))
            parsed.ref = value;
        else if (key != QLatin1String("mode")) // BuildKit's mode=min|max: every step is exported
            return fail(QStringLiteral("%1: unknown field \"%2\"").arg(option, key));
    }
    if (type == QLatin1String("local") && !parsed.path.isEmpty()) {
        parsed.type = Type::Local;
        parsed.path = QDir(parsed.path).absolutePath();
        return parsed;
    }
    if (type == QLatin1String("registry") && !parsed.ref.isEmpty()) {
        parsed.type = Type::Registry;
        return parsed;
    }
    return fail(
        QStringLiteral("%1 takes type=local,%2=DIR or type=registry,ref=HOST/REPO:TAG").arg(option, pathKey));
}

namespace {

Expected<std::unique_ptr<RegistryClient>> clientFor(const RegistrySettings &settings)
{
    auto credentials = RegistryCredentials::load();
    if (!credentials)
        return std::unexpected(credentials.error());
    return std::make_unique<RegistryClient>(settings, std::move(*credentials));
}

} // namespace

Expected<std::shared_ptr<const StepCacheSource>> CacheOption::open(ImageStore &store,
                                                                   const RegistrySettings &settings) const
{
    if (type == Type::Local) {
        auto layout = CacheLayout::open(path);
        if (!layout)
            return std::unexpected(layout.error());
        return std::shared_ptr<const StepCacheSource>(*layout);
    }
    // Lazy: the cache artifact's manifest and index now, a layer only when a step's key
    // matches and the store lacks it (RemoteCache). A room that changed a lesson's third
    // step downloads the first two steps' layers, not all the instructor pushed.
    auto reference = RegistryReference::parse(ref);
    if (!reference)
        return std::unexpected(reference.error());
    auto credentials = RegistryCredentials::load();
    if (!credentials)
        return std::unexpected(credentials.error());
    const QString where = QStringLiteral("from ") + ref;
    const auto refused = [&](const QString &why) {
        return fail(QStringLiteral("the build cache %1 is refused: %2").arg(where, why));
    };
    RegistryClient client(settings, *credentials);
    auto remote = client.fetchManifest(*reference);
    if (!remote)
        return fail(QStringLiteral("cannot get the build cache %1: %2").arg(ref, remote.error().message));
    if (!mediatype::isManifest(remote->mediaType))
        return refused(
            QStringLiteral("it is a `%1`, not a build cache manifest").arg(remote->mediaType.left(100)));
    auto manifest = ImageManifest::parse(remote->bytes);
    if (!manifest)
        return refused(manifest.error().message);
    if (manifest->config.mediaType != CacheIndex::MediaType)
        return refused(QStringLiteral("its manifest's config is \"%1\", not a build cache index")
                           .arg(manifest->config.mediaType.left(100)));
    if (manifest->config.size < 0 || manifest->config.size > CacheIndex::MaxIndexBytes)
        return refused(QStringLiteral("its index claims %1 bytes").arg(manifest->config.size));
    if (auto pulled = client.pullBlob(store, *reference, manifest->config); !pulled)
        return fail(QStringLiteral("cannot get the build cache %1: %2").arg(ref, pulled.error().message));
    auto indexBytes =
        store.blobs()->readAll(manifest->config.digest, manifest->config.size, CacheIndex::MaxIndexBytes);
    if (!indexBytes)
        return refused(indexBytes.error().message);
    auto index = CacheIndex::parse(*indexBytes);
    if (!index)
        return refused(index.error().message);
    // Steps fetch from the builder's worker threads: a client belongs to its thread, so
    // each fetch makes its own.
    RemoteCache::BlobFetch fetchBlob = [settings, credentials = *credentials,
                                        reference = *reference](ImageStore &into, const Descriptor &blob,
                                                                const CancellationToken &cancel) {
        RegistryClient perThread(settings, credentials);
        return perThread.pullBlob(into, reference, blob, cancel);
    };
    auto cache = RemoteCache::make(std::move(*index), manifest->layers, std::move(fetchBlob), where, where);
    if (!cache)
        return std::unexpected(cache.error());
    return std::shared_ptr<const StepCacheSource>(*cache);
}

QString CacheOption::fetchSummary(const StepCacheSource &source)
{
    const auto *remote = dynamic_cast<const RemoteCache *>(&source);
    if (!remote)
        return {};
    const QList<Descriptor> all = remote->index().blobs();
    return QStringLiteral("build cache %1: fetched %2 of %3 layers (%4 bytes)")
        .arg(remote->description().mid(5))
        .arg(remote->fetchedLayers())
        .arg(all.size())
        .arg(remote->fetchedBytes());
}

Expected<QString> CacheOption::write(const ImageStore &store, const QStringList &keys,
                                     const RegistrySettings &settings) const
{
    auto index = CacheIndex::collect(store, keys);
    if (!index)
        return std::unexpected(index.error());
    if (type == Type::Local) {
        auto written = CacheLayout::write(store, *index, path);
        if (!written)
            return std::unexpected(written.error());
        return QStringLiteral("exported the build cache (%1 steps, %2 layers) to %3")
            .arg(index->entries.size())
            .arg(index->blobs().size())
            .arg(path);
    }
    // The artifact is put into the store unnamed and pushed by digest to the tag.
    ImageStore writable = store;
    auto indexBlob = writable.putBlob(index->toJson(), QString(CacheIndex::MediaType));
    if (!indexBlob)
        return std::unexpected(indexBlob.error());
    auto manifest =
        writable.putBlob(CacheLayout::manifestFor(*indexBlob, *index), QString(mediatype::OciManifest));
    if (!manifest)
        return std::unexpected(manifest.error());
    auto client = clientFor(settings);
    if (!client)
        return std::unexpected(client.error());
    auto pushed = (*client)->push(store, manifest->digest.toString(), ref);
    if (!pushed)
        return std::unexpected(pushed.error());
    return QStringLiteral("pushed the build cache (%1 steps, %2 layers) to %3, digest %4")
        .arg(index->entries.size())
        .arg(index->blobs().size())
        .arg(ref, pushed->digest.toString());
}

} // namespace stagecraft::app
