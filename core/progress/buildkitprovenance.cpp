#include "core/progress/buildkitprovenance.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <initializer_list>

namespace stagecraft {

namespace {

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

QJsonObject at(const QJsonObject &object, std::initializer_list<const char *> path)
{
    QJsonObject current = object;
    for (const char *name : path)
        current = current.value(key(name)).toObject();
    return current;
}

} // namespace

Expected<BuildKitProvenance> BuildKitProvenance::fromJson(const QByteArray &json)
{
    if (json.size() > kMaxBytes)
        return fail(QStringLiteral("provenance: %1 bytes, more than the %2 it may have")
                        .arg(json.size())
                        .arg(kMaxBytes));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("provenance: not JSON at byte %1: %2")
                        .arg(parseError.offset)
                        .arg(parseError.errorString()));
    if (!doc.isObject())
        return fail(QStringLiteral("provenance: not an in-toto statement (no JSON object)"));
    QJsonObject statement = doc.object();
    // `docker buildx build --metadata-file` keeps the predicate alone, under its own key.
    if (const QJsonValue bare = statement.value(key("buildx.build.provenance")); bare.isObject()) {
        const QJsonObject predicate = bare.toObject();
        statement = QJsonObject();
        statement.insert(key("predicateType"), predicate.contains(key("buildDefinition"))
                                                   ? key("https://slsa.dev/provenance/v1")
                                                   : key("https://slsa.dev/provenance/v0.2"));
        statement.insert(key("predicate"), predicate);
    }
    BuildKitProvenance out;
    out.predicateType = statement.value(key("predicateType")).toString().left(1024);
    if (!out.predicateType.startsWith(QLatin1String("https://slsa.dev/provenance/")))
        return fail(QStringLiteral("provenance: predicate type \"%1\" is no SLSA provenance")
                        .arg(out.predicateType.left(200)));
    const QJsonObject predicate = statement.value(key("predicate")).toObject();

    // v1 keeps BuildKit's own metadata under runDetails, v0.2 under a URL-named key; the
    // digest mapping sits in the build definition's internal parameters (v1) or buildConfig.
    QJsonObject metadata, buildConfig;
    if (out.predicateType.endsWith(QLatin1String("/v1"))) {
        const QJsonObject run = at(predicate, {"runDetails", "metadata"});
        metadata = run.value(key("buildkit_metadata")).toObject();
        buildConfig = at(predicate, {"buildDefinition", "internalParameters", "buildConfig"});
        out.invocationId = run.value(key("invocationID")).toString().left(200);
        out.startedOn = run.value(key("startedOn")).toString().left(64);
        out.finishedOn = run.value(key("finishedOn")).toString().left(64);
    } else {
        const QJsonObject meta = predicate.value(key("metadata")).toObject();
        metadata = meta.value(key("https://mobyproject.org/buildkit@v1#metadata")).toObject();
        buildConfig = predicate.value(key("buildConfig")).toObject();
        out.invocationId = meta.value(key("buildInvocationID")).toString().left(200);
        out.startedOn = meta.value(key("buildStartedOn")).toString().left(64);
        out.finishedOn = meta.value(key("buildFinishedOn")).toString().left(64);
    }

    const QJsonObject source = metadata.value(key("source")).toObject();
    const QJsonArray infos = source.value(key("infos")).toArray();
    int dockerfileIndex = -1;
    for (int i = 0; i < infos.size(); ++i) {
        const QJsonObject info = infos[i].toObject();
        if (info.value(key("language")).toString() != QLatin1String("Dockerfile"))
            continue;
        const auto text = QByteArray::fromBase64Encoding(info.value(key("data")).toString().toLatin1(),
                                                         QByteArray::AbortOnBase64DecodingErrors);
        if (!text)
            return fail(QStringLiteral("provenance: the Dockerfile's data is not base64"));
        dockerfileIndex = i;
        out.dockerfileName = info.value(key("filename")).toString().left(4096);
        out.dockerfile = QString::fromUtf8(*text);
        break;
    }

    const QJsonObject mapping = buildConfig.value(key("digestMapping")).toObject();
    if (mapping.size() > kMaxMappings)
        return fail(QStringLiteral("provenance: more than %1 digests mapped").arg(kMaxMappings));
    const QJsonObject locations = source.value(key("locations")).toObject();
    for (auto it = mapping.constBegin(); it != mapping.constEnd(); ++it) {
        const QString step = it.value().toString();
        const QJsonArray places = locations.value(step).toObject().value(key("locations")).toArray();
        int first = 0, last = 0;
        for (const QJsonValue &place : places) {
            const QJsonObject p = place.toObject();
            // A location in another source (a named context's file) is no Dockerfile line.
            if (p.value(key("sourceIndex")).toInt(0) != dockerfileIndex)
                continue;
            for (const QJsonValue &range : p.value(key("ranges")).toArray()) {
                const int start = range.toObject().value(key("start")).toObject().value(key("line")).toInt();
                const int end = range.toObject().value(key("end")).toObject().value(key("line")).toInt();
                if (start > 0 && (first == 0 || start < first))
                    first = start;
                last = std::max({last, start, end});
            }
        }
        if (first > 0 && it.key().size() <= 200) {
            out.firstLineByDigest.insert(it.key(), first);
            out.lastLineByDigest.insert(it.key(), last);
        }
    }
    return out;
}

} // namespace stagecraft
