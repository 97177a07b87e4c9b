#include "core/oci/dockerarchive.h"

#include "core/common/archivefilters.h"
#include "core/oci/archivememberdevice.h"
#include "core/oci/compression.h"
#include "core/oci/dockerarchiveblobsource.h"
#include "core/oci/jsonfields.h"
#include "core/oci/layerreader.h"
#include "core/oci/mediatype.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryFile>

#include <cerrno>
#include <cstring>

#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

namespace stagecraft {

namespace {

struct Member
{
    qint64 size = 0;
    QByteArray head; // first bytes (compression magic)
};

// An archive is read as a stream: only its small JSON documents are held in memory, each
// up to MaxDocumentSize and all together up to MaxDocumentsTotal; of every other member
// only its name, size and first bytes are kept, for at most MaxMembers members.
constexpr qint64 MaxDocumentSize = qint64(16) << 20;
constexpr qint64 MaxDocumentsTotal = qint64(64) << 20;
constexpr qsizetype MaxMembers = 100000;
const QString ManifestName = QStringLiteral("manifest.json");

QString normaliseMemberName(QString name)
{
    while (name.startsWith(QLatin1String("./")))
        name.remove(0, 2);
    return name;
}

struct Scan
{
    QHash<QString, Member> members;
    QByteArray manifest;
    bool hasManifest = false;
};

struct ArchiveStream
{
    struct archive *a = archive_read_new();
    ArchiveStream()
    {
        supportInProcessFilters(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
    }
    ~ArchiveStream() { archive_read_free(a); }
    ArchiveStream(const ArchiveStream &) = delete;
    ArchiveStream &operator=(const ArchiveStream &) = delete;
    QString error() const { return QString::fromUtf8(archive_error_string(a)); }
};

// Reads up to `wanted` bytes of the current member.
Expected<QByteArray> readMember(ArchiveStream &stream, const QString &tarPath, qint64 wanted)
{
    QByteArray data(wanted, Qt::Uninitialized);
    qint64 got = 0;
    while (got < wanted) {
        const la_ssize_t n = archive_read_data(stream.a, data.data() + got, size_t(wanted - got));
        if (n < 0)
            return fail(QStringLiteral("%1 is damaged: %2").arg(tarPath, stream.error()));
        if (n == 0)
            break;
        got += n;
    }
    data.truncate(got);
    return data;
}

Expected<Scan> scan(const QString &tarPath)
{
    Scan result;
    ArchiveStream stream;
    if (archive_read_open_filename(stream.a, QFile::encodeName(tarPath).constData(), 1 << 16) != ARCHIVE_OK)
        return fail(QStringLiteral("cannot read %1: %2").arg(tarPath, stream.error()));
    struct archive_entry *entry = nullptr;
    for (;;) {
        const int r = archive_read_next_header(stream.a, &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return fail(QStringLiteral("%1 is not a readable docker-archive tarball: %2")
                            .arg(tarPath, stream.error()));
        if (archive_entry_filetype(entry) != AE_IFREG)
            continue;
        if (result.members.size() >= MaxMembers)
            return fail(QStringLiteral("%1 has more than %2 members; a docker-archive has a few per layer")
                            .arg(tarPath)
                            .arg(MaxMembers));
        const QString name = normaliseMemberName(QString::fromUtf8(archive_entry_pathname(entry)));
        if (result.members.contains(name))
            continue; // the first one is the one ArchiveMemberDevice opens
        Member m;
        m.size = archive_entry_size(entry);
        if (name == ManifestName) {
            if (m.size > MaxDocumentSize)
                return fail(QStringLiteral("%1: manifest.json has %2 bytes, more than the %3 allowed")
                                .arg(tarPath)
                                .arg(m.size)
                                .arg(MaxDocumentSize));
            auto content = readMember(stream, tarPath, m.size);
            if (!content)
                return std::unexpected(content.error());
            result.manifest = *content;
            result.hasManifest = content->size() == m.size;
            m.head = content->left(16);
        } else {
            auto head = readMember(stream, tarPath, qMin<qint64>(m.size, 16));
            if (!head)
                return std::unexpected(head.error());
            m.head = *head;
        }
        result.members.insert(name, m);
    }
    return result;
}

// A second pass for the JSON documents the manifest names (image configs), each bounded.
Expected<QHash<QString, QByteArray>>
readDocuments(const QString &tarPath, const QHash<QString, Member> &members, const QSet<QString> &names)
{
    qint64 total = 0;
    for (const QString &name : names) {
        const qint64 size = members.value(name).size;
        if (size > MaxDocumentSize)
            return fail(QStringLiteral("%1: `%2` has %3 bytes, more than the %4 a config may have")
                            .arg(tarPath, name)
                            .arg(size)
                            .arg(MaxDocumentSize));
        total += size;
    }
    if (total > MaxDocumentsTotal)
        return fail(QStringLiteral("%1: its configs have %2 bytes together, more than the %3 allowed")
                        .arg(tarPath)
                        .arg(total)
                        .arg(MaxDocumentsTotal));
    QHash<QString, QByteArray> documents;
    ArchiveStream stream;
    if (archive_read_open_filename(stream.a, QFile::encodeName(tarPath).constData(), 1 << 16) != ARCHIVE_OK)
        return fail(QStringLiteral("cannot read %1: %2").arg(tarPath, stream.error()));
    struct archive_entry *entry = nullptr;
    while (documents.size() < names.size()) {
        const int r = archive_read_next_header(stream.a, &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return fail(QStringLiteral("%1 is not a readable docker-archive tarball: %2")
                            .arg(tarPath, stream.error()));
        const QString name = normaliseMemberName(QString::fromUtf8(archive_entry_pathname(entry)));
        if (archive_entry_filetype(entry) != AE_IFREG || !names.contains(name) || documents.contains(name))
            continue;
        // The size seen in the first pass bounds the read, whatever this header says.
        auto content = readMember(stream, tarPath, members.value(name).size);
        if (!content)
            return std::unexpected(content.error());
        documents.insert(name, *content);
    }
    return documents;
}

Expected<Digest> digestOfMember(const QString &tarPath, const QString &name)
{
    auto device = ArchiveMemberDevice::open(tarPath, name);
    if (!device)
        return std::unexpected(device.error());
    return Digest::ofDevice(device->get());
}

QString normaliseTag(const QString &ref)
{
    const qsizetype slash = ref.lastIndexOf(QLatin1Char('/'));
    if (ref.indexOf(QLatin1Char(':'), slash + 1) < 0 && !ref.contains(QLatin1Char('@')))
        return ref + QStringLiteral(":latest");
    return ref;
}

} // namespace

bool DockerArchive::isDockerArchive(const QString &path)
{
    auto device = ArchiveMemberDevice::open(path, QStringLiteral("manifest.json"));
    return device.has_value();
}

Expected<DockerArchive> DockerArchive::open(const QString &tarPath)
{
    auto scanned = scan(tarPath);
    if (!scanned)
        return std::unexpected(scanned.error());
    const QHash<QString, Member> &members = scanned->members;
    if (!scanned->hasManifest)
        return fail(
            QStringLiteral("%1 is not a docker-archive: it has no manifest.json (written by `docker save`)")
                .arg(tarPath));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(scanned->manifest, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isArray())
        return fail(QStringLiteral("%1: manifest.json is not a JSON array").arg(tarPath));
    QSet<QString> configNames;
    for (const QJsonValue &value : doc.array()) {
        const QString name = normaliseMemberName(value.toObject().value(QLatin1String("Config")).toString());
        if (members.contains(name))
            configNames.insert(name);
    }
    auto documents = readDocuments(tarPath, members, configNames);
    if (!documents)
        return std::unexpected(documents.error());

    auto source = std::make_shared<DockerArchiveBlobSource>(tarPath);
    static const QRegularExpression blobPath(QStringLiteral("^blobs/sha256/([0-9a-f]{64})$"));
    DockerArchive archive;
    archive.m_path = tarPath;
    const QJsonArray entries = doc.array();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject entry = entries[i].toObject();
        const QString configName = normaliseMemberName(entry.value(QLatin1String("Config")).toString());
        const auto configIt = members.constFind(configName);
        if (configName.isEmpty() || configIt == members.constEnd())
            return fail(
                QStringLiteral("%1: manifest.json entry %2 names config `%3`, which the archive lacks")
                    .arg(tarPath)
                    .arg(i)
                    .arg(configName));
        const QByteArray configBytes = documents->value(configName);
        if (configBytes.size() != configIt->size)
            return fail(QStringLiteral("%1: config `%2` is truncated").arg(tarPath, configName));
        auto config = ImageConfig::parse(configBytes);
        if (!config)
            return fail(QStringLiteral("%1: %2: %3").arg(tarPath, configName, config.error().message));
        const QJsonArray layers = entry.value(QLatin1String("Layers")).toArray();
        if (layers.size() != config->diffIds.size())
            return fail(
                QStringLiteral("%1: manifest.json entry %2 lists %3 layers but its config has %4 diff IDs")
                    .arg(tarPath)
                    .arg(i)
                    .arg(layers.size())
                    .arg(config->diffIds.size()));

        ImageManifest manifest;
        manifest.mediaType = mediatype::OciManifest;
        manifest.config.mediaType = mediatype::OciConfig;
        manifest.config.digest = Digest::ofBytes(configBytes);
        manifest.config.size = configBytes.size();
        source->addMember(manifest.config.digest, configName);
        for (qsizetype l = 0; l < layers.size(); ++l) {
            const QString name = normaliseMemberName(layers[l].toString());
            const auto it = members.constFind(name);
            if (it == members.constEnd())
                return fail(QStringLiteral("%1: layer `%2` is listed in manifest.json but missing")
                                .arg(tarPath, name));
            const Compression compression = detectCompression(it->head);
            Descriptor d;
            d.mediaType = ociLayerMediaType(compression);
            d.size = it->size;
            const QRegularExpressionMatch match = blobPath.match(name);
            if (match.hasMatch()) {
                d.digest = *Digest::parse(QStringLiteral("sha256:") + match.captured(1));
            } else if (compression == Compression::None) {
                // An uncompressed layer's digest is its diff ID; reading it verifies that.
                d.digest = config->diffIds[l];
            } else {
                auto digest = digestOfMember(tarPath, name);
                if (!digest)
                    return std::unexpected(digest.error());
                d.digest = *digest;
            }
            source->addMember(d.digest, name);
            manifest.layers << d;
        }
        const QByteArray manifestBytes = manifest.toJson();
        Descriptor manifestDescriptor;
        manifestDescriptor.mediaType = mediatype::OciManifest;
        manifestDescriptor.digest = Digest::ofBytes(manifestBytes);
        manifestDescriptor.size = manifestBytes.size();
        auto image = Image::fromParts(source, manifestDescriptor, manifestBytes, configBytes);
        if (!image)
            return fail(QStringLiteral("%1: %2").arg(tarPath, image.error().message));
        image->names = json::toStringList(entry.value(QLatin1String("RepoTags")));
        archive.m_images << *image;
    }
    if (archive.m_images.isEmpty())
        return fail(QStringLiteral("%1: manifest.json lists no images").arg(tarPath));
    return archive;
}

Expected<Image> DockerArchive::image(const QString &ref) const
{
    if (ref.isEmpty()) {
        if (m_images.size() == 1)
            return m_images.first();
        QStringList all;
        for (const Image &i : m_images)
            all << i.names;
        return fail(QStringLiteral("%1 holds %2 images (%3); name one")
                        .arg(m_path)
                        .arg(m_images.size())
                        .arg(all.join(QStringLiteral(", "))));
    }
    const QString wanted = normaliseTag(ref);
    for (const Image &i : m_images)
        for (const QString &name : i.names)
            if (normaliseTag(name) == wanted)
                return i;
    return fail(QStringLiteral("%1 has no image tagged `%2`").arg(m_path, ref));
}

} // namespace stagecraft

namespace stagecraft {

namespace {

la_ssize_t writeToDevice(struct archive *, void *device, const void *buffer, size_t length)
{
    const qint64 n =
        static_cast<QIODevice *>(device)->write(static_cast<const char *>(buffer), qint64(length));
    return n < 0 ? -1 : la_ssize_t(n);
}

Expected<void> addMember(struct archive *a, const QString &name, qint64 size, QIODevice *content,
                         bool directory = false)
{
    struct archive_entry *entry = archive_entry_new();
    auto cleanup = qScopeGuard([entry] { archive_entry_free(entry); });
    archive_entry_set_pathname(entry, name.toUtf8().constData());
    archive_entry_set_filetype(entry, directory ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(entry, directory ? 0755 : 0644);
    archive_entry_set_size(entry, directory ? 0 : size);
    archive_entry_set_mtime(entry, 0, 0);
    if (archive_write_header(a, entry) != ARCHIVE_OK)
        return fail(QString::fromUtf8(archive_error_string(a)));
    if (directory || !content)
        return {};
    QByteArray buffer(1 << 16, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        const qint64 n = content->read(buffer.data(), buffer.size());
        if (n < 0)
            return fail(content->errorString());
        if (n == 0)
            break;
        total += n;
        if (total > size)
            return fail(QStringLiteral("%1 grew while being written").arg(name));
        if (archive_write_data(a, buffer.constData(), size_t(n)) < 0)
            return fail(QString::fromUtf8(archive_error_string(a)));
    }
    if (total != size)
        return fail(QStringLiteral("%1 has %2 bytes, expected %3").arg(name).arg(total).arg(size));
    return {};
}

Expected<void> addBytes(struct archive *a, const QString &name, const QByteArray &bytes)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    return addMember(a, name, bytes.size(), &buffer);
}

} // namespace

Expected<void> DockerArchive::write(const QString &tarPath, const QList<Image> &images)
{
    const QFileInfo target(tarPath);
    QTemporaryFile out(target.absolutePath() + QStringLiteral("/.tmp-XXXXXX"));
    if (!out.open())
        return fail(
            QStringLiteral("cannot create a file in %1: %2").arg(target.absolutePath(), out.errorString()));
    struct archive *a = archive_write_new();
    auto cleanup = qScopeGuard([a] { archive_write_free(a); });
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_in_last_block(a, 1);
    if (archive_write_open(a, &out, nullptr, &writeToDevice, nullptr) != ARCHIVE_OK)
        return fail(QString::fromUtf8(archive_error_string(a)));

    QJsonArray manifest;
    QJsonObject repositories;
    QSet<Digest> writtenLayers;
    for (const Image &image : images) {
        QJsonArray layerPaths;
        for (int i = 0; i < image.layers.size(); ++i) {
            const ImageLayer &layer = image.layers[i];
            const QString id = layer.diffId.hex();
            const QString member = id + QStringLiteral("/layer.tar");
            layerPaths.append(member);
            if (writtenLayers.contains(layer.diffId))
                continue;
            writtenLayers.insert(layer.diffId);
            if (auto r = addMember(a, id, 0, nullptr, true); !r)
                return std::unexpected(r.error());
            if (auto r = addBytes(a, id + QStringLiteral("/VERSION"), "1.0"); !r)
                return std::unexpected(r.error());
            QJsonObject legacy;
            legacy.insert(QLatin1String("id"), id);
            if (i > 0)
                legacy.insert(QLatin1String("parent"), image.layers[i - 1].diffId.hex());
            if (auto r = addBytes(a, id + QStringLiteral("/json"), json::canonical(legacy)); !r)
                return std::unexpected(r.error());
            // docker-archive layers are uncompressed tars; decompress to a temporary file
            // first because a tar header needs the size up front.
            auto blob = image.openLayer(i);
            if (!blob)
                return std::unexpected(blob.error());
            QTemporaryFile plain(target.absolutePath() + QStringLiteral("/.tmp-layer-XXXXXX"));
            if (!plain.open())
                return fail(QStringLiteral("cannot create a temporary file: %1").arg(plain.errorString()));
            auto diffId = LayerReader::decompress(blob->get(), &plain);
            if (!diffId)
                return fail(QStringLiteral("layer %1: %2")
                                .arg(layer.descriptor.digest.toString(), diffId.error().message));
            if (*diffId != layer.diffId)
                return fail(QStringLiteral("layer %1 has diff ID %2, but the image config says %3")
                                .arg(layer.descriptor.digest.toString(), diffId->toString(),
                                     layer.diffId.toString()));
            plain.seek(0);
            if (auto r = addMember(a, member, plain.size(), &plain); !r)
                return std::unexpected(r.error());
        }
        const QString configName = image.id().hex() + QStringLiteral(".json");
        if (auto r = addBytes(a, configName, image.configBytes); !r)
            return std::unexpected(r.error());
        QJsonObject entry;
        entry.insert(QLatin1String("Config"), configName);
        QJsonArray tags;
        for (const QString &name : image.names) {
            tags.append(name);
            const qsizetype slash = name.lastIndexOf(QLatin1Char('/'));
            const qsizetype colon = name.indexOf(QLatin1Char(':'), slash + 1);
            if (colon > 0 && !image.layers.isEmpty()) {
                QJsonObject repo = repositories.value(name.left(colon)).toObject();
                repo.insert(name.mid(colon + 1), image.layers.last().diffId.hex());
                repositories.insert(name.left(colon), repo);
            }
        }
        entry.insert(QLatin1String("RepoTags"),
                     tags.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(tags));
        entry.insert(QLatin1String("Layers"), layerPaths);
        manifest.append(entry);
    }
    if (auto r = addBytes(a, QStringLiteral("manifest.json"),
                          QJsonDocument(manifest).toJson(QJsonDocument::Compact));
        !r)
        return std::unexpected(r.error());
    if (!repositories.isEmpty())
        if (auto r = addBytes(a, QStringLiteral("repositories"), json::canonical(repositories)); !r)
            return std::unexpected(r.error());
    if (archive_write_close(a) != ARCHIVE_OK)
        return fail(
            QStringLiteral("cannot write %1: %2").arg(tarPath, QString::fromUtf8(archive_error_string(a))));
    if (!out.flush() || ::fsync(out.handle()) != 0)
        return fail(QStringLiteral("cannot write %1: %2").arg(tarPath, out.errorString()));
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                       QFileDevice::ReadOther);
    if (::rename(QFile::encodeName(out.fileName()).constData(),
                 QFile::encodeName(target.absoluteFilePath()).constData()) != 0)
        return fail(
            QStringLiteral("cannot create %1: %2").arg(tarPath, QString::fromLocal8Bit(strerror(errno))));
    out.setAutoRemove(false);
    return {};
}

} // namespace stagecraft
