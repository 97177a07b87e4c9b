// A classroom kit: one file an instructor carries on a USB stick so that a room builds a
// lesson's examples without the network. It is the tar of an OCI image layout holding the
// base images the examples start from (named as the store names them), the build cache
// of every step of the examples (CacheLayout's "stagecraft-build-cache" manifest), and a
// "stagecraft-kit" manifest whose config lists the examples and whose one layer is the
// examples' files (Dockerfiles, contexts, lesson text). docs/cache-format.md describes it.
// A kit is untrusted: opened into a scratch directory, every blob is verified before the
// store is touched, so a truncated or damaged kit leaves the store as it was.
#pragma once

#include "core/builder/builder.h"
#include "core/builder/cachelayout.h"
#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/image.h"
#include "core/store/imagestore.h"

#include <QSet>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <functional>
#include <memory>

namespace stagecraft {

struct KitExample
{
    QString name;       // the directory's name; also where its files go on import
    QStringList images; // base images it needs
    QStringList keys;   // its steps' cache keys as the instructor's build made them
    int steps = 0;
    // Each step's key with its line and instruction (kits from before 0.3 have none:
    // their check counts missing keys without naming the steps).
    QList<BuildStepKey> plan;
};

// A step of an example whose result the kit lacks: it runs when the example is built.
struct KitMissingStep
{
    int line = 0; // 0: not known (an older kit)
    QString instruction;
    bool needsNetwork = false; // by ClassroomKit::mayNeedNetwork
};

struct KitImage
{
    QString name;
    qint64 bytes = 0; // blobs
};

// What `kit show` lists, and `--check` decides: whether each example's images and steps
// are all in the kit (or, for images, in the store it is checked against).
struct KitCoverage
{
    QString example;
    QStringList missingImages; // would be pulled: always the network
    int missingSteps = 0;
    QList<KitMissingStep> steps; // the missing steps, in the order they ran
    qint64 cacheBytes = 0;       // the layers its steps made, as the kit holds them
    bool covered() const { return missingImages.isEmpty() && missingSteps == 0; }
    bool needsNetwork() const;
};

class ClassroomKit
{
public:
    static constexpr QLatin1String MediaType{"application/vnd.stagecraft.kit.v1+json"};
    static constexpr QLatin1String RefName{"stagecraft-kit"};
    static constexpr qint64 MaxKitBytes = 64ll << 30;

    // Builds each example directory (its Dockerfile, in `store`, pulling what `request`'s
    // pullMissingImage pulls) and writes the kit file `path`.
    static Expected<ClassroomKit> write(const ImageStore &store, const QStringList &exampleDirs,
                                        const QString &path, const BuildRequest &request = {},
                                        const BuildEventSink &sink = {},
                                        const CancellationToken &cancel = {});
    // Unpacks the kit into a scratch directory under `scratchParent` and verifies all of it.
    static Expected<ClassroomKit> open(const QString &path, const QString &scratchParent,
                                       const CancellationToken &cancel = {});

    const QList<KitExample> &examples() const { return m_examples; }
    const QList<KitImage> &images() const { return m_images; }
    const CacheLayout &cache() const { return *m_cache; }
    qint64 cacheBytes() const;
    qint64 examplesBytes() const { return m_examplesBytes; }
    // `imageAvailable`: a base image the kit lacks but the store it is checked against has
    // (`kit show --check --store`) does not need the network.
    QList<KitCoverage> coverage(const std::function<bool(const QString &)> &imageAvailable = {}) const;
    static QList<KitCoverage> coverageOf(const QList<KitExample> &examples, const CacheIndex &cache,
                                         const QSet<QString> &kitImages, const QSet<Digest> &baseBlobs,
                                         const std::function<bool(const QString &)> &imageAvailable = {});
    // Whether an instruction that has to run may reach for the network: a RUN of a package
    // manager, downloader or VCS (apt-get, apk, pip, npm, go mod download, curl, git clone,
    // …) that does not say `--network=none`, or an ADD of a URL or git repository. A
    // heuristic: other RUNs are said to "run" offline, which they may still fail to do.
    static bool mayNeedNetwork(const QString &instruction);

    // Loads the images and the cache into `store` and copies the examples into
    // `examplesDir`/<name> (an existing example directory is left alone). Returns the
    // example directories written.
    Expected<QStringList> importInto(ImageStore &store, const QString &examplesDir,
                                     const CancellationToken &cancel = {}) const;

private:
    std::shared_ptr<QTemporaryDir> m_scratch;
    QString m_layoutDir;
    QList<KitExample> m_examples;
    QList<KitImage> m_images;
    std::shared_ptr<CacheLayout> m_cache;
    QSet<Digest> m_imageBlobs; // the base images' layers, not counted as an example's cache
    Descriptor m_examplesBlob;
    qint64 m_examplesBytes = 0;
};

} // namespace stagecraft
