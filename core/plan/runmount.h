// One `RUN --mount=…` flag as BuildKit reads it: CSV fields, each value expanded with the
// stage's ARGs and ENV, then checked by BuildKit's rules (and with its messages).
#pragma once

#include "core/common/error.h"

#include <QString>

#include <functional>
#include <optional>

namespace stagecraft {

enum class MountType { Bind, Cache, Tmpfs, Secret, Ssh };
enum class CacheSharing { Shared, Private, Locked };

struct RunMount
{
    MountType type = MountType::Bind;
    QString target; // as written (expanded); see resolvedTarget()
    QString source;
    QString from; // a stage name or index, or an image, for bind and cache mounts
    bool readOnly = true;
    QString id; // cache or secret id, or ssh agent id, as given
    CacheSharing sharing = CacheSharing::Shared;
    bool sharingGiven = false;
    std::optional<quint32> mode;
    std::optional<quint32> uid;
    std::optional<quint32> gid;
    bool required = false;           // secret and ssh
    std::optional<qint64> sizeLimit; // tmpfs, in bytes
    QString env;                     // secret exposed as an environment variable

    // Expands one field's value (the stage's ARGs and ENV); fails like a bad word would.
    using Expander = std::function<Expected<QString>(const QString &value)>;

    // Reads a --mount value; the message on failure is BuildKit's.
    static Expected<RunMount> parse(const QString &value, const Expander &expand);

    // The id the mount is keyed by when none is given: a cache's target, a secret's
    // source or target name, "default" for ssh.
    QString effectiveId() const;
    // The absolute mount point: a relative target is below the working directory; secrets
    // and ssh agents have default places. Fails with BuildKit's message for "/".
    Expected<QString> resolvedTarget(const QString &workingDir, int sshIndex = 0) const;

    static QString typeName(MountType type);
    static QString sharingName(CacheSharing sharing);
};

} // namespace stagecraft
