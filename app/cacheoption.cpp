#include "app/cacheoption.h"

#include "core/builder/cacheindex.h"
#include "core/builder/cachelayout.h"
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
    // The cache artifact and every layer come into the store (each blob verified by the
    // client), then are checked whole as a local cache is. The artifact gets no name there.
    auto reference = RegistryReference::parse(ref);
    if (!reference)
        return std::unexpected(reference.error());
    const QString name = reference->familiar();
    const bool named = store.resolve(name).has_value();
    auto client = clientFor(settings);
    if (!client)
        return std::unexpected(client.error());
    auto pulled = (*client)->pullInto(store, ref);
    if (!pulled)
        return fail(QStringLiteral("cannot get the build cache %1: %2").arg(ref, pulled.error().message));
    if (!named)
        (void)store.removeReference(name);
    auto cache = CacheLayout::openManifest(store.blobs(), *pulled, QStringLiteral("from ") + ref,
                                           QStringLiteral("from ") + ref);
    if (!cache)
        return std::unexpected(cache.error());
    return std::shared_ptr<const StepCacheSource>(*cache);
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
