// BuildKit's SLSA provenance attestation (an in-toto statement, predicate v0.2 or v1), as
// `--attest type=provenance,mode=max` or `--metadata-file` writes it and a `.dockerbuild`
// archive carries it: the Dockerfile it built (its source infos carry the text) and, for
// each vertex digest, the Dockerfile lines of its instruction (digestMapping names each
// digest's LLB step, source.locations each step's line ranges). That maps a vertex to its
// line even when its name carries no "[stage i/n]".
#pragma once

#include "core/common/error.h"

#include <QByteArray>
#include <QHash>
#include <QString>

namespace stagecraft {

class BuildKitProvenance
{
public:
    static constexpr qsizetype kMaxBytes = 64 * 1024 * 1024;
    static constexpr int kMaxMappings = 100000;

    QString predicateType;  // "https://slsa.dev/provenance/v1" or "…/v0.2"
    QString dockerfileName; // as the build named it ("Dockerfile")
    QString dockerfile;     // its text; empty when the provenance did not carry it (mode=min)
    QString invocationId;
    QString startedOn; // RFC 3339
    QString finishedOn;
    QHash<QString, int> firstLineByDigest; // vertex digest -> first line of its instruction
    QHash<QString, int> lastLineByDigest;

    // An in-toto statement whose predicate is BuildKit's provenance, or the metadata file of
    // `docker buildx build --metadata-file` (the predicate under "buildx.build.provenance");
    // an error names what is missing or malformed. No source locations is no error (mode=min).
    static Expected<BuildKitProvenance> fromJson(const QByteArray &json);
};

} // namespace stagecraft
