#include "core/oci/ocilayout.h"

#include "core/oci/blobfile.h"
#include "core/oci/jsonfields.h"
#include "core/oci/mediatype.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace stagecraft {

namespace {

Expected<QByteArray> readSmallFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    if (f.size() > 64 * 1024 * 1024)
        return fail(QStringLiteral("%1 is too large").arg(path));
    return f.readAll();
}

} // namespace

bool OciLayout::isLayout(const QString &dir)
{
    return QFileInfo(dir + QStringLiteral("/oci-layout")).isFile();
}

Expected<OciLayout> OciLayout::open(const QString &dir)
{
    const QString marker = dir + QStringLiteral("/oci-layout");
    if (!QFileInfo(marker).isFile())
        return fail(QStringLiteral("%1 is not an OCI image layout (no oci-layout file)").arg(dir));
    auto markerBytes = readSmallFile(marker);
    if (!markerBytes)
        return std::unexpected(markerBytes.error());
    auto markerJson = json::parseObject(*markerBytes, marker);
    if (!markerJson)
        return std::unexpected(markerJson.error());
    const QString version = markerJson->value(QLatin1String("imageLayoutVersion")).toString();
    if (!version.startsWith(QLatin1String("1.")))
        return fail(QStringLiteral("%1: unsupported imageLayoutVersion `%2`").arg(marker, version));
    auto indexBytes = readSmallFile(dir + QStringLiteral("/index.json"));
    if (!indexBytes)
        return std::unexpected(indexBytes.error());
    auto index = ImageIndex::parse(*indexBytes);
    if (!index)
        return fail(QStringLiteral("%1/index.json: %2").arg(dir, index.error().message));
    OciLayout layout;
    layout.m_dir = QDir(dir).absolutePath();
    layout.m_index = *index;
    layout.m_blobs = std::make_shared<DirectoryBlobSource>(layout.m_dir,
                                                           QStringLiteral("OCI layout %1").arg(layout.m_dir));
    return layout;
}

Expected<OciLayout> OciLayout::create(const QString &dir)
{
    if (isLayout(dir))
        return open(dir);
    if (!QDir().mkpath(dir + QStringLiteral("/blobs/sha256")))
        return fail(QStringLiteral("cannot create the OCI layout directory %1").arg(dir));
    if (auto w = writeFileAtomically(dir + QStringLiteral("/oci-layout"),
                                     QByteArray(R"({"imageLayoutVersion":"1.0.0"})"));
        !w)
        return std::unexpected(w.error());
    OciLayout layout;
    layout.m_dir = QDir(dir).absolutePath();
    layout.m_index.mediaType = mediatype::OciIndex;
    layout.m_blobs = std::make_shared<DirectoryBlobSource>(layout.m_dir,
                                                           QStringLiteral("OCI layout %1").arg(layout.m_dir));
    if (auto s = layout.saveIndex(); !s)
        return std::unexpected(s.error());
    return layout;
}

QStringList OciLayout::refNames() const
{
    QStringList names;
    for (const Descriptor &d : m_index.manifests)
        if (!d.refName().isEmpty())
            names << d.refName();
    return names;
}

Expected<Image> OciLayout::image(const QString &ref, const Platform &platform) const
{
    const Descriptor *chosen = nullptr;
    if (ref.isEmpty()) {
        if (m_index.manifests.size() != 1) {
            if (m_index.manifests.isEmpty())
                return fail(QStringLiteral("the OCI layout %1 holds no image").arg(m_dir));
            // Several entries of one image for different platforms are one image; otherwise ask.
            bool allPlatforms = true;
            for (const Descriptor &d : m_index.manifests)
                allPlatforms = allPlatforms && d.platform && d.refName().isEmpty();
            if (!allPlatforms)
                return fail(QStringLiteral("the OCI layout %1 holds several images (%2); name one")
                                .arg(m_dir, refNames().join(QStringLiteral(", "))));
            auto selected = m_index.select(platform);
            if (!selected)
                return std::unexpected(selected.error());
            auto image = Image::load(m_blobs, *selected, platform);
            return image;
        }
        chosen = &m_index.manifests.first();
    } else {
        for (const Descriptor &d : m_index.manifests)
            if (d.refName() == ref)
                chosen = &d;
        if (!chosen)
            for (const Descriptor &d : m_index.manifests)
                if (d.refName().endsWith(QLatin1Char(':') + ref))
                    chosen = &d;
        if (!chosen)
            return fail(QStringLiteral("the OCI layout %1 has no image named `%2` (it has: %3)")
                            .arg(m_dir, ref, refNames().join(QStringLiteral(", "))));
    }
    auto image = Image::load(m_blobs, *chosen, platform);
    if (image && !chosen->refName().isEmpty())
        image->names = QStringList{chosen->refName()};
    return image;
}

Expected<QList<Image>> OciLayout::images(const Platform &platform) const
{
    QList<Image> result;
    for (const Descriptor &d : m_index.manifests) {
        if (d.platform && !platform.matches(*d.platform))
            continue;
        auto image = Image::load(m_blobs, d, platform);
        if (!image)
            return std::unexpected(image.error());
        if (!d.refName().isEmpty())
            image->names = QStringList{d.refName()};
        result << *image;
    }
    return result;
}

Expected<void> OciLayout::writeBlob(const Digest &digest, qint64 size, QIODevice *source)
{
    if (m_blobs->contains(digest))
        return {};
    auto written =
        writeBlobFile(m_blobs->blobPath(digest), m_dir + QStringLiteral("/blobs"), source, digest, size);
    if (!written)
        return std::unexpected(written.error());
    return {};
}

Expected<Descriptor> OciLayout::writeBlob(const QByteArray &bytes, const QString &mediaType)
{
    Descriptor d;
    d.mediaType = mediaType;
    d.digest = Digest::ofBytes(bytes);
    d.size = bytes.size();
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    if (auto w = writeBlob(d.digest, d.size, &buffer); !w)
        return std::unexpected(w.error());
    return d;
}

Expected<Descriptor> OciLayout::addImage(const Image &image, const QString &refName)
{
    for (const ImageLayer &layer : image.layers) {
        if (m_blobs->contains(layer.descriptor.digest))
            continue;
        auto device = image.openBlob(layer.descriptor);
        if (!device)
            return std::unexpected(device.error());
        if (auto w = writeBlob(layer.descriptor.digest, layer.descriptor.size, device->get()); !w)
            return std::unexpected(w.error());
    }
    auto config = writeBlob(image.configBytes, image.manifest.config.mediaType);
    if (!config)
        return std::unexpected(config.error());
    if (config->digest != image.manifest.config.digest)
        return fail(QStringLiteral("the image's config bytes do not match its manifest's config digest"));
    auto manifest = writeBlob(image.manifestBytes, image.manifestDescriptor.mediaType.isEmpty()
                                                       ? QString(mediatype::OciManifest)
                                                       : image.manifestDescriptor.mediaType);
    if (!manifest)
        return std::unexpected(manifest.error());
    return addManifest(*manifest, refName);
}

Expected<Descriptor> OciLayout::addManifest(Descriptor entry, const QString &refName)
{
    if (!refName.isEmpty()) {
        entry.annotations.insert(Descriptor::RefNameAnnotation, refName);
        m_index.manifests.removeIf([&](const Descriptor &d) { return d.refName() == refName; });
    } else {
        m_index.manifests.removeIf(
            [&](const Descriptor &d) { return d.digest == entry.digest && d.refName().isEmpty(); });
    }
    m_index.manifests << entry;
    if (auto s = saveIndex(); !s)
        return std::unexpected(s.error());
    return entry;
}

Expected<void> OciLayout::saveIndex()
{
    if (m_index.mediaType.isEmpty())
        m_index.mediaType = mediatype::OciIndex;
    return writeFileAtomically(m_dir + QStringLiteral("/index.json"), m_index.toJson());
}

} // namespace stagecraft
