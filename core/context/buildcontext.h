// The build context: a directory plus its .dockerignore. Answers which files a COPY/ADD
// source selects (Go filepath.Match globs, never escaping the directory) and their
// content digests for the build cache.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/context/contenthashcache.h"
#include "core/context/dockerignore.h"

#include <QList>
#include <QString>

#include <memory>

namespace stagecraft {

enum class ContextFileType { File, Directory, Symlink, Other };

struct ContextFile
{
    QString path;         // relative to the context root, "/"-separated; "" is the root
    QString absolutePath; // where to read it (symlinks of the selected source resolved)
    ContextFileType type = ContextFileType::File;
    quint32 mode = 0; // permission bits with setuid/setgid/sticky, no type bits
    qint64 size = 0;  // regular files only
    qint64 mtime = 0; // seconds since the epoch
    QString linkTarget;
    // A regular file's inode: files of one inode are copied as hardlinks of each other.
    quint64 device = 0;
    quint64 inode = 0;
    quint64 links = 1;
};

// One thing a COPY source names: a file, a symlink or a directory with the included
// files below it.
struct ContextMatch
{
    QString path; // as selected, relative to the context root ("" for ".")
    ContextFileType type = ContextFileType::File;
    // The match itself first, then (for a directory) every included descendant in
    // depth-first order with sorted siblings; each `path` is relative to the context root.
    QList<ContextFile> files;
};

class BuildContext
{
public:
    // `dockerfile` (optional) lets `<Dockerfile>.dockerignore` next to it take precedence
    // over `<directory>/.dockerignore`, as BuildKit does.
    static Expected<BuildContext> open(const QString &directory, const QString &dockerfile = {});

    QString directory() const { return m_root; }
    QString ignoreFile() const { return m_ignoreFile; } // empty when there is none
    const DockerIgnore &ignore() const { return m_ignore; }
    bool isExcluded(const QString &relativePath) const { return m_ignore.isExcluded(relativePath); }

    // What a COPY/ADD source selects: ".", "dir/", "a/b.txt", "*.go", "src/*/x". A
    // leading "/" means the context root; a path leading outside is refused. A missing path is an
    // error; a wildcard that matches nothing selects nothing (BuildKit's COPY allows it).
    Expected<QList<ContextMatch>> select(const QString &source, const CancellationToken &cancel) const;

    // Content digest of one match ("sha256:<hex>"): a canonical walk over relative path,
    // type, mode, size, content and symlink target; a directory's digest combines its
    // children's. Independent of mtimes and owners.
    Expected<QString> digest(const ContextMatch &match, const CancellationToken &cancel) const;
    // Digest of everything a source selects (the cache key input of COPY/ADD).
    Expected<QString> sourceDigest(const QString &source, const CancellationToken &cancel) const;

    // The memo used for file contents; shared so repeated builds hash quickly.
    void setHashCache(std::shared_ptr<ContentHashCache> cache) { m_cache = std::move(cache); }
    std::shared_ptr<ContentHashCache> hashCache() const { return m_cache; }

private:
    Expected<QString> resolveInside(const QString &relative, const QString &source) const;
    Expected<QStringList> expandGlob(const QString &cleaned, const CancellationToken &cancel) const;
    Expected<ContextMatch> describe(const QString &relative, const QString &source,
                                    const CancellationToken &cancel) const;
    bool collect(const QString &relative, const QString &absolute, QList<ContextFile> &out,
                 const CancellationToken &cancel) const;

    QString m_root;
    QString m_ignoreFile;
    DockerIgnore m_ignore;
    std::shared_ptr<ContentHashCache> m_cache = std::make_shared<ContentHashCache>();
};

} // namespace stagecraft
