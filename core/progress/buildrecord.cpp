#include "core/progress/buildrecord.h"

#include "core/progress/dockerbuildarchive.h"
#include "core/progress/solvestatusstream.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSaveFile>

namespace stagecraft {

namespace {

const QString kFormat = QStringLiteral("stagecraft-build-record");

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

std::unexpected<Error> bad(const QString &message)
{
    return fail(QStringLiteral("build record: %1").arg(message));
}

// A string field no longer than `max`; absent is empty.
Expected<QString> text(const QJsonObject &o, const char *name, qsizetype max)
{
    const QJsonValue v = o.value(key(name));
    if (v.isUndefined() || v.isNull())
        return QString();
    if (!v.isString())
        return bad(QStringLiteral("\"%1\" must be a string").arg(key(name)));
    QString s = v.toString();
    if (s.size() > max)
        return bad(QStringLiteral("\"%1\" has %2 characters, more than the %3 a record may have")
                       .arg(key(name))
                       .arg(s.size())
                       .arg(max));
    return s;
}

Expected<QJsonObject> object(const QJsonObject &o, const char *name)
{
    const QJsonValue v = o.value(key(name));
    if (v.isUndefined() || v.isNull())
        return QJsonObject();
    if (!v.isObject())
        return bad(QStringLiteral("\"%1\" must be an object").arg(key(name)));
    return v.toObject();
}

bool isDigest(const QString &s)
{
    static const QRegularExpression pattern(QStringLiteral("^sha256:[0-9a-f]{64}$"));
    return pattern.match(s).hasMatch();
}

} // namespace

BuildRecord BuildRecord::fromProgress(const BuildProgress &progress)
{
    BuildRecord record;
    record.engine = QStringLiteral("embedded");
    record.createdAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    record.progress = progress.toJson();
    return record;
}

Expected<BuildRecord> BuildRecord::fromRawJson(const QByteArray &log, const QString &dockerfileText,
                                               const QString &dockerfileName,
                                               const QHash<QString, int> &sourceLines)
{
    if (dockerfileText.size() > kMaxDockerfileChars)
        return fail(QStringLiteral("%1: more than the %2 characters a Dockerfile may have here")
                        .arg(dockerfileName)
                        .arg(kMaxDockerfileChars));
    const BuildPlan plan = BuildPlan::fromText(dockerfileText);
    if (plan.graph().stages.isEmpty())
        return fail(QStringLiteral("%1 has no stage to map the log's steps to").arg(dockerfileName));
    BuildProgress progress;
    if (Expected<void> read = SolveStatusStream::read(log, plan, progress, sourceLines); !read)
        return std::unexpected(read.error());
    BuildRecord record = fromProgress(progress);
    record.engine = QStringLiteral("buildkit");
    record.dockerfile = dockerfileText;
    record.dockerfileName = dockerfileName;
    return record;
}

QByteArray BuildRecord::toJson() const
{
    QJsonObject file;
    file.insert(key("name"), dockerfileName);
    file.insert(key("text"), dockerfile);
    QJsonObject args;
    for (auto it = buildArgs.cbegin(); it != buildArgs.cend(); ++it)
        args.insert(it.key(), it.value());
    QJsonObject result;
    if (!resultDigest.isEmpty())
        result.insert(key("digest"), resultDigest);
    result.insert(key("tags"), QJsonArray::fromStringList(tags));
    QJsonObject o;
    o.insert(key("format"), kFormat);
    o.insert(key("version"), kFormatVersion);
    o.insert(key("createdAt"), createdAt);
    o.insert(key("engine"), engine);
    o.insert(key("dockerfile"), file);
    o.insert(key("buildArgs"), args);
    o.insert(key("target"), target);
    o.insert(key("result"), result);
    o.insert(key("solveStatus"), progress);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Expected<BuildRecord> BuildRecord::fromJson(const QByteArray &json)
{
    if (json.size() > kMaxFileBytes)
        return bad(QStringLiteral("%1 bytes, more than the %2 a record may have")
                       .arg(json.size())
                       .arg(kMaxFileBytes));
    QJsonParseError parseError;
    // Qt's parser refuses nesting past its own depth limit with an error, not a crash.
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return bad(
            QStringLiteral("not JSON at byte %1: %2").arg(parseError.offset).arg(parseError.errorString()));
    if (!doc.isObject())
        return bad(QStringLiteral("the top level must be an object"));
    const QJsonObject o = doc.object();
    if (o.value(key("format")).toString() != kFormat)
        return bad(QStringLiteral("not a Stagecraft build record (\"format\" is not \"%1\")").arg(kFormat));
    const QJsonValue version = o.value(key("version"));
    if (!version.isDouble() || version.toDouble() != kFormatVersion)
        return bad(QStringLiteral("format version %1 is not one this Stagecraft reads (%2)")
                       .arg(version.toVariant().toString().left(20))
                       .arg(kFormatVersion));

    BuildRecord record;
    const auto take = [](Expected<QString> value, QString &out) -> Expected<void> {
        if (!value)
            return std::unexpected(value.error());
        out = std::move(*value);
        return {};
    };
    Expected<QJsonObject> file = object(o, "dockerfile");
    Expected<QJsonObject> result = file ? object(o, "result") : file;
    Expected<QJsonObject> args = result ? object(o, "buildArgs") : result;
    Expected<QJsonObject> status = args ? object(o, "solveStatus") : args;
    if (!status)
        return std::unexpected(status.error());
    for (Expected<void> step : {take(text(o, "createdAt", kMaxFieldChars), record.createdAt),
                                take(text(o, "engine", kMaxFieldChars), record.engine),
                                take(text(o, "target", kMaxFieldChars), record.target),
                                take(text(*file, "name", kMaxFieldChars), record.dockerfileName),
                                take(text(*file, "text", kMaxDockerfileChars), record.dockerfile),
                                take(text(*result, "digest", kMaxFieldChars), record.resultDigest)})
        if (!step)
            return std::unexpected(step.error());
    if (!record.resultDigest.isEmpty() && !isDigest(record.resultDigest))
        return bad(QStringLiteral("the result digest \"%1\" is not a sha256 digest")
                       .arg(record.resultDigest.left(80)));

    const QJsonValue tags = result->value(key("tags"));
    if (!tags.isUndefined() && !tags.isArray())
        return bad(QStringLiteral("\"tags\" must be an array"));
    const QJsonArray tagList = tags.toArray();
    if (tagList.size() > kMaxTags)
        return bad(
            QStringLiteral("%1 tags, more than the %2 a record may have").arg(tagList.size()).arg(kMaxTags));
    for (const QJsonValue &tag : tagList) {
        if (!tag.isString() || tag.toString().size() > kMaxFieldChars)
            return bad(QStringLiteral("a tag must be a string of at most %1 characters").arg(kMaxFieldChars));
        record.tags.append(tag.toString());
    }

    if (args->size() > kMaxBuildArgs)
        return bad(QStringLiteral("%1 build args, more than the %2 a record may have")
                       .arg(args->size())
                       .arg(kMaxBuildArgs));
    for (auto it = args->constBegin(); it != args->constEnd(); ++it) {
        if (!it.value().isString() || it.key().size() > kMaxFieldChars ||
            it.value().toString().size() > kMaxFieldChars)
            return bad(QStringLiteral("build arg \"%1\" must be a string of at most %2 characters")
                           .arg(it.key().left(80))
                           .arg(kMaxFieldChars));
        record.buildArgs.insert(it.key(), it.value().toString());
    }

    if (status->isEmpty())
        return bad(QStringLiteral("no \"solveStatus\": the record holds no build"));
    record.progress = *status;
    // The events are checked now, so that a record that reads is one that loads.
    BuildProgress check;
    if (Expected<void> loaded = check.fromJson(record.progress); !loaded)
        return std::unexpected(loaded.error());
    return record;
}

Expected<void> BuildRecord::write(const QString &path) const
{
    QSaveFile file(path);
    const QByteArray json = toJson();
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write the build record %1: %2").arg(path, file.errorString()));
    if (file.write(json) != json.size() || !file.commit())
        return fail(QStringLiteral("cannot write the build record %1: %2").arg(path, file.errorString()));
    return {};
}

Expected<BuildRecord> BuildRecord::read(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return fail(QStringLiteral("%1: no such file").arg(path));
    // A FIFO or a device would block or never end.
    if (!info.isFile())
        return fail(QStringLiteral("%1 is not a regular file").arg(path));
    if (info.size() > kMaxFileBytes)
        return fail(QStringLiteral("%1: %2 bytes, more than the %3 a build record may have")
                        .arg(path)
                        .arg(info.size())
                        .arg(kMaxFileBytes));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    // Read one byte past the bound: a file that grew since the check is still refused.
    const QByteArray json = file.read(kMaxFileBytes + 1);
    Expected<BuildRecord> record = fromJson(json);
    if (!record)
        return fail(QStringLiteral("%1: %2").arg(path, record.error().message));
    return record;
}

Expected<BuildRecord> BuildRecord::open(const QString &path)
{
    {
        QFile probe(path);
        if (probe.open(QIODevice::ReadOnly) && DockerBuildArchive::looksLike(probe.read(512))) {
            const Expected<DockerBuildArchive> archive = DockerBuildArchive::read(path);
            if (!archive)
                return std::unexpected(archive.error());
            Expected<BuildRecord> replayed = archive->record(0);
            if (!replayed)
                return fail(QStringLiteral("%1: %2").arg(path, replayed.error().message));
            return replayed;
        }
    }
    Expected<BuildRecord> record = read(path);
    if (record)
        return record;
    const QFileInfo info(path);
    const QString dockerfilePath = info.absoluteDir().filePath(QStringLiteral("Dockerfile"));
    QFile log(path);
    QFile dockerfile(dockerfilePath);
    if (!info.isFile() || info.size() > SolveStatusStream::kMaxLogBytes || !log.open(QIODevice::ReadOnly))
        return record;
    const QByteArray head = log.peek(4096);
    if (!head.trimmed().startsWith('{') || !head.contains("\"vertexes\"") ||
        !QFileInfo(dockerfilePath).isFile() || QFileInfo(dockerfilePath).size() > kMaxDockerfileChars ||
        !dockerfile.open(QIODevice::ReadOnly))
        return record;
    Expected<BuildRecord> imported =
        fromRawJson(log.read(SolveStatusStream::kMaxLogBytes + 1),
                    QString::fromUtf8(dockerfile.read(kMaxDockerfileChars)), QStringLiteral("Dockerfile"));
    if (!imported)
        return fail(QStringLiteral("%1: %2").arg(path, imported.error().message));
    return imported;
}

Expected<void> BuildRecord::load(BuildProgress &into) const
{
    return into.fromJson(progress);
}

} // namespace stagecraft
