// The `.dockerbuild` archives that `docker buildx history export` writes and CI actions
// attach to their runs: a gzip-compressed tar holding an OCI image layout whose manifest
// (one per build; several under an image index) has BuildKit's history record as its config
// (application/vnd.buildkit.historyrecord.v0: ref, frontend attributes, times, step counts,
// error) and as its layers the build log (application/vnd.buildkit.status.v0, see
// BuildKitStatusLog), the OpenTelemetry trace, the result's attestations (the SLSA
// provenance carries the Dockerfile and each vertex's lines) and the result descriptors.
// The log and provenance are what a replay needs; the trace and results are listed, not read.
#pragma once

#include "core/common/error.h"
#include "core/progress/buildkitprovenance.h"
#include "core/progress/buildrecord.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

class DockerBuildArchive
{
public:
    static constexpr qint64 kMaxArchiveBytes = 1024LL * 1024 * 1024; // compressed, on disk
    static constexpr qint64 kMaxMemberBytes = 256LL * 1024 * 1024;
    static constexpr qint64 kMaxTotalBytes = 512LL * 1024 * 1024; // all members kept, unpacked
    static constexpr int kMaxMembers = 10000;
    static constexpr int kMaxBuilds = 1000;

    struct Build
    {
        QString ref;
        QString frontend;
        QString dockerfilePath; // the "filename" frontend attribute
        QString target;
        QMap<QString, QString> buildArgs;
        QString createdAt; // RFC 3339
        QString completedAt;
        QString error; // the build's error message; empty when it succeeded
        int totalSteps = -1;
        int cachedSteps = -1;
        int completedSteps = -1;
        QByteArray rawjson; // the build log as SolveStatus JSON lines; empty without one
        std::optional<BuildKitProvenance> provenance;
        QStringList unread; // what the archive holds that is not read ("trace", …)
    };

    QList<Build> builds;

    // Whether a file starting with `head` may be one (gzip, or a plain tar).
    static bool looksLike(const QByteArray &head);
    static Expected<DockerBuildArchive> read(const QString &path);

    // The build as a record to replay: its log read against the provenance's Dockerfile,
    // vertices placed by the provenance's source lines; against `dockerfile` (a copy the
    // user has) when the archive carries none. An error says what is missing.
    Expected<BuildRecord> record(int build = 0, const QString &dockerfile = {}) const;
};

} // namespace stagecraft
