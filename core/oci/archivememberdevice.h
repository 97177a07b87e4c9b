// Streams one member of a tar file (optionally gzip/zstd compressed) without extracting
// it: how a layer inside a docker-archive is read in place.
#pragma once

#include "core/common/error.h"

#include <QIODevice>

#include <memory>

struct archive;

namespace stagecraft {

class ArchiveMemberDevice : public QIODevice
{
public:
    ~ArchiveMemberDevice() override;
    // Positions at the first member whose normalised path (no "./") equals `member`.
    static Expected<std::unique_ptr<ArchiveMemberDevice>> open(const QString &tarPath, const QString &member);

    bool isSequential() const override { return true; }
    bool atEnd() const override { return m_end; }
    void close() override;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    ArchiveMemberDevice() = default;
    struct archive *m_archive = nullptr;
    bool m_end = false;
};

} // namespace stagecraft
