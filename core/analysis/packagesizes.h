// Where an image's bytes are, by package: the package databases in its final filesystem
// (dpkg, apk, Python's dist-info RECORDs, node_modules) read from the layers that hold
// them, each package's files found in the merged tree (through symlinked directories
// such as /bin → usr/bin), the bytes they take there, and the layer that installed the
// package (the lowest layer that added one of its files or its database entry).
#pragma once

#include "core/analysis/imageanalysis.h"
#include "core/analysis/packagedatabase.h"
#include "core/common/cancellation.h"
#include "core/common/error.h"

#include <QHash>
#include <QIODevice>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace stagecraft {

struct Image;

struct PackageSize
{
    PackageManager manager = PackageManager::Dpkg;
    QString name;
    QString version;
    qint64 bytes = 0;     // its regular files' sizes in the final filesystem, each file once
    int files = 0;        // its paths that exist (not directories)
    int missingFiles = 0; // listed but gone (removed later, or never unpacked: docs excluded)
    int layer = -1;       // the layer that installed it; -1 when unknown
    QString database;     // the database file that lists it
    QList<int> nodes;     // its files' node ids in the analysis's final tree
};

struct PackageSizeReport
{
    QList<PackageSize> packages; // largest first, then by name
    qint64 packageBytes = 0;     // bytes of files some package owns (each file once)
    qint64 imageBytes = 0;       // the final filesystem's bytes
    int malformed = 0;           // database entries skipped
    QStringList problems;        // databases not read, and why
    bool fromCache = false;      // the databases came from the store's cache
};

class PackageSizes
{
public:
    static constexpr qint64 kMaxTotalBytes = 256 * 1024 * 1024; // all databases of one image
    static constexpr int kMaxDatabases = 200'000;               // files read (node has many)
    static constexpr int kMaxSymlinkHops = 40;

    // The files of `tree` that package databases live in, absolute.
    static QStringList databasePaths(const FileTree &tree);

    // Opens layer N's blob (maybe compressed); tests hand in tarballs, the image opens its own.
    using LayerOpener = std::function<Expected<std::unique_ptr<QIODevice>>(int layer)>;
    // Reads `paths` from the layers that hold the final tree's version of each (one pass per
    // layer, stopping when it has them all), within the bounds above. What cannot be read
    // goes to `problems`.
    static QHash<QString, QByteArray> readDatabases(const FileTree &tree, const QStringList &paths,
                                                    const LayerOpener &open, QStringList *problems,
                                                    const CancellationToken &cancel = {});

    // Attributes the final tree's files to the packages the databases list.
    static PackageSizeReport compute(const ImageAnalysis &analysis,
                                     const QHash<QString, QByteArray> &databases);

    // The whole job for an image: databases read from its layers (or from `cacheDir`, keyed
    // by the image ID, when it holds them; written there after a read), then compute().
    // An empty `cacheDir` reads the layers every time.
    static Expected<PackageSizeReport> ofImage(const Image &image, const ImageAnalysis &analysis,
                                               const QString &cacheDir = {},
                                               const CancellationToken &cancel = {});

    // The node `path` names, following symlinked directories on the way (not the last
    // component); -1 when it does not exist or resolves outside the root.
    static int resolve(const FileTree &tree, const QString &path);
};

} // namespace stagecraft
