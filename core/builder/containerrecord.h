// A detached container's state under the store (`containers/<id>/`): what it runs, the
// process that supervises it, its log, its writable layer while it runs and, once it
// ended, its exit code. `stagecraft run -d` writes it; `ps`, `stop`, `logs` and `rm` read it.
#pragma once

#include "core/common/error.h"
#include "core/store/imagestore.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

class ContainerRecord
{
public:
    QString id; // 64 hex digits, shown as the first 12
    QString image;
    QStringList command;
    QStringList ports; // PortForward::toString()
    QDateTime created;
    qint64 pid = 0;              // the supervising process, 0 before it started
    std::optional<int> exitCode; // set when the container ended
    bool removeWhenDone = false; // --rm

    static QString containersDir(const ImageStore &store);
    static Expected<ContainerRecord> create(const ImageStore &store);
    static QList<ContainerRecord> list(const ImageStore &store); // newest first
    // By full id or a unique prefix of it.
    static Expected<ContainerRecord> find(const ImageStore &store, const QString &idOrPrefix);

    QString directory() const { return m_directory; }
    QString logPath() const;
    QString scratchDir() const; // the container's writable layer
    Expected<void> save() const;
    // Deletes the record with its log and writable layer (whatever ids the container
    // left its files owned by).
    Expected<void> remove() const;
    // The supervising process is alive and the container has not ended.
    bool isRunning() const;
    // Ends a running container: SIGTERM to its supervisor, which kills the container's
    // processes and records the exit; SIGKILL when that takes longer than `grace`
    // milliseconds (an error then). Reloads the record; a removed one (--rm) is not an error.
    Expected<void> stop(const ImageStore &store, int grace = 10000);

private:
    QString m_directory;
};

} // namespace stagecraft
