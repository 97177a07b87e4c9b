#include "core/progress/dockerbuildarchive.h"

#include "core/common/sha256.h"
#include "core/progress/buildkitstatuslog.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace stagecraft {

namespace {

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

const char kHistoryRecord[] = "application/vnd.buildkit.historyrecord.v0";
const char kStatusLog[] = "application/vnd.buildkit.status.v0";
const char kInToto[] = "application/vnd.in-toto+json";

using Members = QHash<QString, QByteArray>;

Expected<Members> readMembers(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return fail(QStringLiteral("%1 is not a file").arg(path));
    if (info.size() > DockerBuildArchive::kMaxArchiveBytes)
        return fail(QStringLiteral("%1: %2 bytes, more than the %3 a .dockerbuild archive may have")
                        .arg(path)
                        .arg(info.size())
                        .arg(DockerBuildArchive::kMaxArchiveBytes));
    std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    archive_read_support_filter_gzip(a.get());
    archive_read_support_filter_none(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    const auto why = [&] { return QString::fromUtf8(archive_error_string(a.get())); };
    if (archive_read_open_filename(a.get(), QFile::encodeName(path).constData(), 1 << 16) != ARCHIVE_OK)
        return fail(
            QStringLiteral("%1: not a .dockerbuild archive (a gzip-compressed tar): %2").arg(path, why()));
    Members members;
    qint64 total = 0;
    int count = 0;
    struct archive_entry *entry = nullptr;
    for (;;) {
        const int r = archive_read_next_header(a.get(), &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            return fail(QStringLiteral("%1: not a .dockerbuild archive (a gzip-compressed tar): %2")
                            .arg(path, why()));
        if (++count > DockerBuildArchive::kMaxMembers)
            return fail(QStringLiteral("%1: more than %2 files in the archive")
                            .arg(path)
                            .arg(DockerBuildArchive::kMaxMembers));
        if (archive_entry_filetype(entry) != AE_IFREG)
            continue;
        QString name = QString::fromUtf8(archive_entry_pathname(entry));
        while (name.startsWith(QLatin1String("./")))
            name = name.mid(2);
        if (name != QLatin1String("index.json") && name != QLatin1String("oci-layout") &&
            !name.startsWith(QLatin1String("blobs/sha256/")))
            continue;
        const qint64 size = archive_entry_size(entry);
        if (size < 0 || size > DockerBuildArchive::kMaxMemberBytes)
            return fail(QStringLiteral("%1: %2 is %3 bytes, more than the %4 a member may have")
                            .arg(path, name)
                            .arg(size)
                            .arg(DockerBuildArchive::kMaxMemberBytes));
        total += size;
        if (total > DockerBuildArchive::kMaxTotalBytes)
            return fail(QStringLiteral("%1: more than %2 bytes unpacked")
                            .arg(path)
                            .arg(DockerBuildArchive::kMaxTotalBytes));
        QByteArray data(qsizetype(size), Qt::Uninitialized);
        qsizetype got = 0;
        while (got < size) {
            const la_ssize_t n = archive_read_data(a.get(), data.data() + got, size_t(size - got));
            if (n < 0)
                return fail(QStringLiteral("%1: cannot read %2 from the .dockerbuild archive: %3")
                                .arg(path, name, why()));
            if (n == 0)
                break;
            got += n;
        }
        if (got != size)
            return fail(QStringLiteral("%1: the .dockerbuild archive is cut off in %2").arg(path, name));
        members.insert(name, data);
    }
    return members;
}

Expected<QJsonObject> jsonObject(const QByteArray &bytes, const QString &what)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return fail(QStringLiteral("%1 is not a JSON object").arg(what));
    return doc.object();
}

// The blob a descriptor names, checked against its digest.
Expected<QByteArray> blob(const Members &members, const QJsonObject &descriptor)
{
    const QString digest = descriptor.value(key("digest")).toString();
    static const QRegularExpression form(QStringLiteral("^sha256:[0-9a-f]{64}$"));
    if (!form.match(digest).hasMatch())
        return fail(QStringLiteral("a descriptor has no sha256 digest (\"%1\")").arg(digest.left(100)));
    const auto it = members.constFind(QStringLiteral("blobs/sha256/") + digest.mid(7));
    if (it == members.cend())
        return fail(QStringLiteral("blob %1 is missing from the archive").arg(digest));
    Sha256 hash;
    hash.addData(*it);
    if (QString::fromLatin1(hash.result().toHex()) != digest.mid(7))
        return fail(QStringLiteral("blob %1 does not match its digest").arg(digest));
    return *it;
}

// A time in the history record: RFC 3339 (older exports) or protobuf's {seconds, nanos}.
QString timeOf(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().left(64);
    const QJsonObject t = value.toObject();
    const qint64 seconds = qint64(t.value(key("seconds")).toDouble());
    if (seconds <= 0)
        return {};
    const qint64 nanos = qint64(t.value(key("nanos")).toDouble());
    return QDateTime::fromMSecsSinceEpoch(seconds * 1000 + nanos / 1000000, Qt::UTC)
        .toString(Qt::ISODateWithMs);
}

Expected<DockerBuildArchive::Build> readBuild(const Members &members, const QJsonObject &manifest)
{
    DockerBuildArchive::Build build;
    const QJsonObject config = manifest.value(key("config")).toObject();
    if (config.value(key("mediaType")).toString() != QLatin1String(kHistoryRecord))
        return fail(QStringLiteral("the manifest's config is no BuildKit history record (%1)")
                        .arg(config.value(key("mediaType")).toString().left(200)));
    const Expected<QByteArray> recordBytes = blob(members, config);
    if (!recordBytes)
        return std::unexpected(recordBytes.error());
    const Expected<QJsonObject> record = jsonObject(*recordBytes, QStringLiteral("the history record"));
    if (!record)
        return std::unexpected(record.error());
    build.ref = record->value(key("Ref")).toString().left(200);
    build.frontend = record->value(key("Frontend")).toString().left(200);
    const QJsonObject attrs = record->value(key("FrontendAttrs")).toObject();
    for (auto it = attrs.constBegin(); it != attrs.constEnd(); ++it) {
        const QString value = it.value().toString().left(BuildRecord::kMaxFieldChars);
        if (it.key() == QLatin1String("target"))
            build.target = value;
        else if (it.key() == QLatin1String("filename"))
            build.dockerfilePath = value;
        else if (it.key().startsWith(QLatin1String("build-arg:")) &&
                 build.buildArgs.size() < BuildRecord::kMaxBuildArgs)
            build.buildArgs.insert(it.key().mid(10).left(BuildRecord::kMaxFieldChars), value);
    }
    build.createdAt = timeOf(record->value(key("CreatedAt")));
    build.completedAt = timeOf(record->value(key("CompletedAt")));
    build.error = record->value(key("error")).toObject().value(key("message")).toString().left(64 * 1024);
    const auto count = [&](const char *name) {
        const QJsonValue v = record->value(key(name));
        return v.isDouble() ? int(v.toDouble()) : -1;
    };
    build.totalSteps = count("numTotalSteps");
    build.cachedSteps = count("numCachedSteps");
    build.completedSteps = count("numCompletedSteps");

    for (const QJsonValue &value : manifest.value(key("layers")).toArray()) {
        const QJsonObject layer = value.toObject();
        const QString type = layer.value(key("mediaType")).toString();
        if (type == QLatin1String(kStatusLog)) {
            const Expected<QByteArray> bytes = blob(members, layer);
            if (!bytes)
                return std::unexpected(bytes.error());
            Expected<QByteArray> json = BuildKitStatusLog::toRawJson(*bytes);
            if (!json)
                return std::unexpected(json.error());
            build.rawjson = *json;
        } else if (type == QLatin1String(kInToto) &&
                   layer.value(key("annotations"))
                       .toObject()
                       .value(key("in-toto.io/predicate-type"))
                       .toString()
                       .startsWith(QLatin1String("https://slsa.dev/provenance/")) &&
                   !build.provenance) {
            const Expected<QByteArray> bytes = blob(members, layer);
            if (!bytes)
                return std::unexpected(bytes.error());
            Expected<BuildKitProvenance> provenance = BuildKitProvenance::fromJson(*bytes);
            if (!provenance)
                return std::unexpected(provenance.error());
            build.provenance = *provenance;
        } else if (type.contains(QLatin1String("otlp"))) {
            build.unread << QStringLiteral("the OpenTelemetry trace");
        } else if (type == QLatin1String(kInToto)) {
            build.unread << QStringLiteral("an attestation (%1)")
                                .arg(layer.value(key("annotations"))
                                         .toObject()
                                         .value(key("in-toto.io/predicate-type"))
                                         .toString()
                                         .left(200));
        } else if (type.contains(QLatin1String("rpc.status"))) {
            build.unread << QStringLiteral("the error's details");
        } else {
            build.unread << QStringLiteral("a result descriptor");
        }
    }
    build.unread.removeDuplicates();
    return build;
}

} // namespace

bool DockerBuildArchive::looksLike(const QByteArray &head)
{
    if (head.startsWith("\x1f\x8b"))
        return true;
    return head.size() >= 262 && head.mid(257, 5) == "ustar";
}

Expected<DockerBuildArchive> DockerBuildArchive::read(const QString &path)
{
    const Expected<Members> members = readMembers(path);
    if (!members)
        return std::unexpected(members.error());
    const auto bad = [&](const QString &why) { return fail(QStringLiteral("%1: %2").arg(path, why)); };
    if (!members->contains(QStringLiteral("index.json")))
        return bad(
            QStringLiteral("no index.json: not a .dockerbuild archive (an OCI layout of build records)"));
    const Expected<QJsonObject> index =
        jsonObject(members->value(QStringLiteral("index.json")), QStringLiteral("index.json"));
    if (!index)
        return bad(index.error().message);
    // The index names one manifest; for several builds that is itself an image index whose
    // entries are the builds' manifests.
    QList<QJsonObject> manifests;
    QList<QJsonObject> pending;
    for (const QJsonValue &v : index->value(key("manifests")).toArray())
        pending << v.toObject();
    for (int depth = 0; depth < 2 && !pending.isEmpty(); ++depth) {
        QList<QJsonObject> next;
        for (const QJsonObject &descriptor : pending) {
            const Expected<QByteArray> bytes = blob(*members, descriptor);
            if (!bytes)
                return bad(bytes.error().message);
            const Expected<QJsonObject> object = jsonObject(*bytes, QStringLiteral("a manifest"));
            if (!object)
                return bad(object.error().message);
            if (object->contains(key("manifests"))) {
                for (const QJsonValue &v : object->value(key("manifests")).toArray())
                    if (next.size() < kMaxBuilds)
                        next << v.toObject();
            } else if (manifests.size() < kMaxBuilds) {
                manifests << *object;
            }
        }
        pending = next;
    }
    if (manifests.isEmpty())
        return bad(QStringLiteral("the archive names no build record"));
    DockerBuildArchive out;
    for (const QJsonObject &manifest : manifests) {
        Expected<Build> build = readBuild(*members, manifest);
        if (!build)
            return bad(build.error().message);
        out.builds << *build;
    }
    return out;
}

Expected<BuildRecord> DockerBuildArchive::record(int index, const QString &dockerfile) const
{
    if (index < 0 || index >= builds.size())
        return fail(QStringLiteral("the archive has no build %1").arg(index + 1));
    const Build &build = builds[index];
    if (build.rawjson.isEmpty())
        return fail(QStringLiteral("build %1 has no build log in the archive").arg(build.ref));
    const bool carried = build.provenance && !build.provenance->dockerfile.isEmpty();
    if (!carried && dockerfile.isEmpty())
        return fail(
            QStringLiteral("build %1: the archive carries no Dockerfile (its provenance attestation is "
                           "missing or was made with mode=min); give the Dockerfile it built "
                           "(`stagecraft record show ARCHIVE --file DOCKERFILE`)")
                .arg(build.ref));
    const QString name = !build.dockerfilePath.isEmpty() ? build.dockerfilePath
                         : carried                       ? build.provenance->dockerfileName
                                                         : QStringLiteral("Dockerfile");
    // The provenance's lines belong to its own Dockerfile, not to a copy given instead.
    Expected<BuildRecord> record = carried
                                       ? BuildRecord::fromRawJson(build.rawjson, build.provenance->dockerfile,
                                                                  name, build.provenance->firstLineByDigest)
                                       : BuildRecord::fromRawJson(build.rawjson, dockerfile, name);
    if (!record)
        return record;
    record->engine = QStringLiteral("buildkit (.dockerbuild %1)").arg(build.ref);
    record->target = build.target;
    record->buildArgs = build.buildArgs;
    record->createdAt = build.completedAt.isEmpty() ? build.createdAt : build.completedAt;
    return record;
}

} // namespace stagecraft
