// One build kept as one file: the Dockerfile it built, its build args, target and engine,
// the build's events in BuildKit's SolveStatus form (BuildProgress::toJson: vertexes with
// digest, inputs, name, started, completed, cached, error; statuses; logs; each step's layer
// size under "stagecraft") and the result's digest. A record reopens the build on the graph
// without the image or any engine, and `stagecraft record show` prints it. A record may come
// from anyone (an instructor's, a CI run's), so reading it is bounded and refuses what it
// cannot vouch for with an error, never a crash.
#pragma once

#include "core/common/error.h"
#include "core/progress/buildprogress.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace stagecraft {

class BuildRecord
{
public:
    static constexpr int kFormatVersion = 1;
    // The whole file: the progress's own bound plus room for the Dockerfile.
    static constexpr qint64 kMaxFileBytes = BuildProgress::kMaxRecordBytes + 16 * 1024 * 1024;
    static constexpr qsizetype kMaxDockerfileChars = 8 * 1024 * 1024;
    static constexpr int kMaxBuildArgs = 10000;
    static constexpr qsizetype kMaxFieldChars = 64 * 1024; // a build arg, target, tag, digest…
    static constexpr int kMaxTags = 1000;

    QString dockerfileName; // as the build named it ("Dockerfile", "app/Dockerfile.dev")
    QString dockerfile;     // the text built
    QMap<QString, QString> buildArgs;
    QString target;       // empty: the last stage
    QString engine;       // "embedded", "docker", or the tool a rawjson log came from
    QString resultDigest; // the result image's manifest digest; empty when the build failed
    QStringList tags;
    QString createdAt;    // RFC 3339, when the record was made
    QJsonObject progress; // BuildProgress::toJson()

    // A record of the build `progress` holds.
    static BuildRecord fromProgress(const BuildProgress &progress);

    // A record of a build BuildKit ran, from its rawjson progress log and the Dockerfile
    // it built (SolveStatusStream); `engine` names the tool ("buildkit").
    // `sourceLines` (vertex digest -> first Dockerfile line, from BuildKit's provenance)
    // places vertices before their names do.
    static Expected<BuildRecord> fromRawJson(const QByteArray &log, const QString &dockerfileText,
                                             const QString &dockerfileName,
                                             const QHash<QString, int> &sourceLines = {});

    QByteArray toJson() const;
    static Expected<BuildRecord> fromJson(const QByteArray &json);

    // Writes to a temporary file beside `path` and renames it over: a reader never sees
    // half a record, and a failed write leaves the old file as it was.
    Expected<void> write(const QString &path) const;
    static Expected<BuildRecord> read(const QString &path);
    // read(), or, for a file that is no record, a `.dockerbuild` archive (its first build,
    // DockerBuildArchive) or BuildKit's rawjson progress read against the Dockerfile beside
    // it (a CI job's log saved next to its Dockerfile).
    static Expected<BuildRecord> open(const QString &path);

    // Puts the recorded build into `into` (its state, stages, steps, logs, the outcome).
    Expected<void> load(BuildProgress &into) const;
};

} // namespace stagecraft
