#include "core/kit/classroomkit.h"

#include "core/builder/cacheindex.h"
#include "core/dockerfile/dockerfile.h"
#include "core/oci/imagemanifest.h"
#include "core/oci/layerextractor.h"
#include "core/oci/layerreader.h"
#include "core/oci/layerwriter.h"
#include "core/oci/mediatype.h"
#include "core/oci/ocilayout.h"
#include "core/plan/buildplan.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QTemporaryFile>

namespace stagecraft {

namespace {

constexpr qint64 MaxKitIndexBytes = 16ll << 20;
constexpr qsizetype MaxPlanSteps = 10000;

QJsonArray toArray(const QStringList &list)
{
    QJsonArray a;
    for (const QString &s : list)
        a.append(s);
    return a;
}

QStringList toStrings(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list.append(v.toString());
    return list;
}

// An example's name becomes a directory: one plain path component.
bool isPlainName(const QString &name)
{
    return !name.isEmpty() && name.size() <= 255 && name != QLatin1String(".") &&
           name != QLatin1String("..") && !name.contains(QLatin1Char('/')) && !name.contains(QChar(0));
}

// Reads a blob whole through its verifying device: digest and size checked.
Expected<void> drain(QIODevice *device, const QString &what)
{
    char buffer[65536];
    while (!device->atEnd())
        if (device->read(buffer, sizeof buffer) < 0)
            return fail(QStringLiteral("%1: %2").arg(what, device->errorString()));
    return {};
}

} // namespace

qint64 ClassroomKit::cacheBytes() const
{
    qint64 total = 0;
    for (const Descriptor &d : m_cache->index().blobs())
        total += d.size;
    return total;
}

bool KitCoverage::needsNetwork() const
{
    if (!missingImages.isEmpty())
        return true;
    for (const KitMissingStep &s : steps)
        if (s.needsNetwork)
            return true;
    return false;
}

bool ClassroomKit::mayNeedNetwork(const QString &instruction)
{
    const QString text = instruction.simplified();
    const QString word = text.section(QLatin1Char(' '), 0, 0).toUpper();
    if (word == QLatin1String("ADD")) {
        // A URL or a git repository is fetched whenever the step runs.
        static const QRegularExpression remote(QStringLiteral(R"((^|\s)(https?://|git@|git://|ssh://))"),
                                               QRegularExpression::CaseInsensitiveOption);
        return remote.match(text).hasMatch();
    }
    if (word != QLatin1String("RUN"))
        return false;
    static const QRegularExpression offline(QStringLiteral(R"(^RUN\b.*--network[= ]none\b)"),
                                            QRegularExpression::CaseInsensitiveOption);
    if (offline.match(text).hasMatch())
        return false;
    // A command word: at the start, after a separator or a path (/usr/bin/curl), followed
    // by a space or the end of a command.
    static const QRegularExpression fetcher(
        QStringLiteral(R"((^|[\s;&|(`'"/])()"
                       R"(apt-get|apt|aptitude|add-apt-repository|apk|dnf|yum|microdnf|zypper|pacman|)"
                       R"(pip|pip3|pipx|poetry|uv|conda|mamba|npm|npx|yarn|pnpm|bun|gem|bundle|cargo|)"
                       R"(rustup|composer|mvn|gradle|nuget|curl|wget|)"
                       R"(git\s+(clone|fetch|pull|submodule)|go\s+(mod\s+download|get|install|build)|)"
                       R"(dotnet\s+(restore|add|build|publish))"
                       R"()(\s|$|;|&|\||\)))"));
    return fetcher.match(text).hasMatch();
}

QList<KitCoverage> ClassroomKit::coverage(const std::function<bool(const QString &)> &imageAvailable) const
{
    QSet<QString> images;
    for (const KitImage &i : m_images)
        images.insert(i.name);
    return coverageOf(m_examples, m_cache->index(), images, m_imageBlobs, imageAvailable);
}

QList<KitCoverage> ClassroomKit::coverageOf(const QList<KitExample> &examples, const CacheIndex &cache,
                                            const QSet<QString> &kitImages, const QSet<Digest> &baseBlobs,
                                            const std::function<bool(const QString &)> &imageAvailable)
{
    QList<KitCoverage> all;
    for (const KitExample &e : examples) {
        KitCoverage c;
        c.example = e.name;
        for (const QString &image : e.images)
            if (!kitImages.contains(image) && !(imageAvailable && imageAvailable(image)))
                c.missingImages.append(image);
        QSet<Digest> layers;
        const auto countLayers = [&](const QJsonObject &entry) {
            if (auto ofEntry = CacheIndex::layersOf(entry))
                for (const auto &[d, diffId] : std::as_const(*ofEntry))
                    if (!baseBlobs.contains(d.digest) && !layers.contains(d.digest)) {
                        layers.insert(d.digest);
                        c.cacheBytes += d.size;
                    }
        };
        if (!e.plan.isEmpty()) {
            // Each step by its key: the steps after a missing one keep their keys (a key
            // chains the keys before it, not their results), so only the missing ones run.
            for (const BuildStepKey &step : e.plan) {
                const auto entry = cache.entries.constFind(step.key);
                if (entry != cache.entries.cend()) {
                    countLayers(*entry);
                    continue;
                }
                ++c.missingSteps;
                c.steps.append({step.line, step.instruction, mayNeedNetwork(step.instruction)});
            }
        } else {
            for (const QString &key : e.keys) {
                const auto entry = cache.entries.constFind(key);
                if (entry != cache.entries.cend())
                    countLayers(*entry);
                else if (!key.startsWith(QLatin1String("link-")))
                    ++c.missingSteps;
            }
        }
        all.append(c);
    }
    return all;
}

Expected<ClassroomKit> ClassroomKit::write(const ImageStore &store, const QStringList &exampleDirs,
                                           const QString &path, const BuildRequest &request,
                                           const BuildEventSink &sink, const CancellationToken &cancel)
{
    ImageStore writable = store;
    auto scratch = std::make_shared<QTemporaryDir>(store.cacheDir(QStringLiteral("tmp")) +
                                                   QStringLiteral("/kit-XXXXXX"));
    if (!scratch->isValid())
        return fail(QStringLiteral("cannot create a scratch directory: %1").arg(scratch->errorString()));
    const QString layoutDir = scratch->filePath(QStringLiteral("kit"));
    const QString examplesDir = scratch->filePath(QStringLiteral("examples"));
    QDir().mkpath(examplesDir);
    ClassroomKit kit;
    QStringList allKeys;
    QStringList allImages;
    for (const QString &dir : exampleDirs) {
        KitExample example;
        example.name = QFileInfo(dir).absoluteFilePath().section(QLatin1Char('/'), -1);
        if (!isPlainName(example.name))
            return fail(QStringLiteral("%1: not a directory name an example can have").arg(dir));
        for (const KitExample &other : std::as_const(kit.m_examples))
            if (other.name == example.name)
                return fail(QStringLiteral("two examples are named %1").arg(example.name));
        Builder builder(writable);
        BuildRequest build = request;
        build.contextDir = QFileInfo(dir).absoluteFilePath();
        build.dockerfile.clear();
        build.parsed.reset();
        build.tags.clear();
        auto built = builder.build(build, sink, cancel);
        if (!built)
            return fail(
                QStringLiteral("example %1 does not build: %2").arg(example.name, built.error().message));
        example.keys = built->cacheKeys;
        example.steps = built->steps;
        example.plan = built->stepKeys;
        QFile dockerfile(build.contextDir + QStringLiteral("/Dockerfile"));
        if (!dockerfile.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read %1").arg(dockerfile.fileName()));
        const BuildPlan plan = BuildPlan::fromText(QString::fromUtf8(dockerfile.readAll()));
        example.images = plan.graph().externalImages;
        for (const QString &image : std::as_const(example.images))
            if (!allImages.contains(image))
                allImages.append(image);
        allKeys += example.keys;
        // The example's files, as the context has them.
        const QString copy = examplesDir + QLatin1Char('/') + example.name;
        QDir().mkpath(copy);
        QDirIterator it(build.contextDir, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString from = it.next();
            const QString to = copy + from.mid(build.contextDir.size());
            const QFileInfo info = it.fileInfo();
            if (info.isSymLink()) {
                QFile::link(info.symLinkTarget(), to);
            } else if (info.isDir()) {
                QDir().mkpath(to);
            } else if (info.isFile() && !QFile::copy(from, to)) {
                return fail(QStringLiteral("cannot copy %1").arg(from));
            }
        }
        kit.m_examples.append(example);
    }
    auto index = CacheIndex::collect(writable, allKeys);
    if (!index)
        return std::unexpected(index.error());
    if (auto written = CacheLayout::write(writable, *index, layoutDir); !written)
        return std::unexpected(written.error());
    auto layout = OciLayout::open(layoutDir);
    if (!layout)
        return std::unexpected(layout.error());
    for (const QString &name : std::as_const(allImages)) {
        auto image = writable.image(name);
        if (!image)
            return fail(QStringLiteral("base image %1: %2").arg(name, image.error().message));
        auto normalised = image->names.value(0, name);
        if (auto added = layout->addImage(*image, normalised); !added)
            return std::unexpected(added.error());
        kit.m_images.append({normalised, image->blobSize()});
    }
    // The examples as one uncompressed tar blob, named by the kit manifest.
    QTemporaryFile examplesTar(scratch->filePath(QStringLiteral("examples-XXXXXX.tar")));
    if (!examplesTar.open())
        return fail(QStringLiteral("cannot create %1").arg(examplesTar.fileName()));
    LayerWriteOptions options;
    options.compression = Compression::None;
    options.uid = 0;
    options.gid = 0;
    auto tar = LayerWriter::writeDirectory(examplesDir, &examplesTar, options, cancel);
    if (!tar)
        return std::unexpected(tar.error());
    examplesTar.seek(0);
    if (auto w = layout->writeBlob(tar->digest, tar->size, &examplesTar); !w)
        return std::unexpected(w.error());
    QJsonArray examples;
    for (const KitExample &e : std::as_const(kit.m_examples)) {
        QJsonObject o;
        o.insert(QStringLiteral("name"), e.name);
        o.insert(QStringLiteral("images"), toArray(e.images));
        o.insert(QStringLiteral("keys"), toArray(e.keys));
        o.insert(QStringLiteral("steps"), e.steps);
        QJsonArray plan;
        for (const BuildStepKey &step : e.plan)
            plan.append(QJsonObject{{QStringLiteral("key"), step.key},
                                    {QStringLiteral("stage"), step.stage},
                                    {QStringLiteral("line"), step.line},
                                    {QStringLiteral("instruction"), step.instruction}});
        o.insert(QStringLiteral("plan"), plan);
        examples.append(o);
    }
    QJsonObject config;
    config.insert(QStringLiteral("mediaType"), MediaType);
    config.insert(QStringLiteral("examples"), examples);
    auto configBlob = layout->writeBlob(QJsonDocument(config).toJson(QJsonDocument::Compact), MediaType);
    if (!configBlob)
        return std::unexpected(configBlob.error());
    ImageManifest manifest;
    manifest.mediaType = QString(mediatype::OciManifest);
    manifest.artifactType = MediaType;
    manifest.config = *configBlob;
    Descriptor examplesBlob;
    examplesBlob.mediaType = QString(mediatype::OciLayer);
    examplesBlob.digest = tar->digest;
    examplesBlob.size = tar->size;
    manifest.layers = {examplesBlob};
    auto manifestBlob = layout->writeBlob(manifest.toJson(), QString(mediatype::OciManifest));
    if (!manifestBlob)
        return std::unexpected(manifestBlob.error());
    if (auto named = layout->addManifest(*manifestBlob, RefName); !named)
        return std::unexpected(named.error());
    // The kit file: the layout as one tar, written whole before it takes its name.
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write %1: %2").arg(path, out.errorString()));
    auto packed = LayerWriter::writeDirectory(layoutDir, &out, options, cancel);
    if (!packed)
        return std::unexpected(packed.error());
    if (!out.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(path, out.errorString()));
    return open(path, store.cacheDir(QStringLiteral("tmp")), cancel);
}

Expected<ClassroomKit> ClassroomKit::open(const QString &path, const QString &scratchParent,
                                          const CancellationToken &cancel)
{
    const auto refused = [&](const QString &why) {
        return fail(QStringLiteral("the kit %1 is refused: %2").arg(path, why));
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return refused(file.errorString());
    if (file.size() > MaxKitBytes)
        return refused(QStringLiteral("larger than %1 GiB").arg(MaxKitBytes >> 30));
    ClassroomKit kit;
    QDir().mkpath(scratchParent);
    kit.m_scratch = std::make_shared<QTemporaryDir>(scratchParent + QStringLiteral("/kit-open-XXXXXX"));
    if (!kit.m_scratch->isValid())
        return fail(
            QStringLiteral("cannot create a scratch directory: %1").arg(kit.m_scratch->errorString()));
    kit.m_layoutDir = kit.m_scratch->filePath(QStringLiteral("kit"));
    ExtractOptions options;
    options.preserveOwnership = false;
    options.createDevices = false;
    options.applyWhiteouts = false;
    options.maxTotalSize = MaxKitBytes;
    options.stripSetid = true;
    // Names resolve inside the scratch directory; a truncated tar is an error here.
    auto extracted = LayerExtractor::extract(&file, kit.m_layoutDir, options, cancel);
    if (!extracted)
        return refused(extracted.error().message);
    // Only directories and plain files: a symlink in the layout could lead a blob's read
    // to any file of the user's.
    QDirIterator entries(kit.m_layoutDir,
                         QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                         QDirIterator::Subdirectories);
    while (entries.hasNext()) {
        entries.next();
        const QFileInfo info = entries.fileInfo();
        if (info.isSymLink() || (!info.isDir() && !info.isFile()))
            return refused(QStringLiteral("%1 is not a plain file or directory")
                               .arg(info.filePath().mid(kit.m_layoutDir.size() + 1)));
    }
    auto layout = OciLayout::open(kit.m_layoutDir);
    if (!layout)
        return refused(layout.error().message);
    auto cache =
        CacheLayout::open(kit.m_layoutDir, QStringLiteral("from the kit"), CacheLayout::RefName, cancel);
    if (!cache)
        return refused(cache.error().message);
    kit.m_cache = *cache;
    // The kit manifest: the examples' list and files.
    std::optional<Descriptor> entry;
    for (const Descriptor &d : layout->index().manifests)
        if (d.refName() == RefName)
            entry = d;
    if (!entry || entry->size < 0 || entry->size > MaxKitIndexBytes)
        return refused(QStringLiteral("it names no \"%1\" manifest").arg(RefName));
    auto manifestDevice = layout->blobs()->open(entry->digest, entry->size);
    if (!manifestDevice)
        return refused(manifestDevice.error().message);
    const QByteArray manifestBytes = (*manifestDevice)->read(entry->size + 1);
    if (Digest::ofBytes(manifestBytes) != entry->digest)
        return refused(QStringLiteral("its kit manifest is damaged"));
    auto manifest = ImageManifest::parse(manifestBytes);
    if (!manifest || manifest->config.mediaType != MediaType || manifest->layers.size() != 1 ||
        manifest->config.size < 0 || manifest->config.size > MaxKitIndexBytes)
        return refused(QStringLiteral("its kit manifest is not one"));
    auto configDevice = layout->blobs()->open(manifest->config.digest, manifest->config.size);
    if (!configDevice)
        return refused(configDevice.error().message);
    const QByteArray configBytes = (*configDevice)->read(manifest->config.size + 1);
    if (Digest::ofBytes(configBytes) != manifest->config.digest)
        return refused(QStringLiteral("its list of examples is damaged"));
    const QJsonObject config = QJsonDocument::fromJson(configBytes).object();
    if (config.value(QStringLiteral("mediaType")).toString() != MediaType)
        return refused(QStringLiteral("its list of examples is not one"));
    for (const QJsonValue &v : config.value(QStringLiteral("examples")).toArray()) {
        const QJsonObject o = v.toObject();
        KitExample e;
        e.name = o.value(QStringLiteral("name")).toString();
        if (!isPlainName(e.name))
            return refused(QStringLiteral("an example is named \"%1\"").arg(e.name.left(100)));
        e.images = toStrings(o.value(QStringLiteral("images")));
        e.keys = toStrings(o.value(QStringLiteral("keys")));
        e.steps = o.value(QStringLiteral("steps")).toInt();
        const QJsonArray plan = o.value(QStringLiteral("plan")).toArray();
        if (plan.size() > MaxPlanSteps)
            return refused(
                QStringLiteral("example %1 lists more than %2 steps").arg(e.name).arg(MaxPlanSteps));
        for (const QJsonValue &p : plan) {
            const QJsonObject step = p.toObject();
            BuildStepKey k;
            k.key = step.value(QStringLiteral("key")).toString();
            k.stage = step.value(QStringLiteral("stage")).toInt();
            k.line = step.value(QStringLiteral("line")).toInt();
            // Shown to the person who checks the kit: one line, bounded.
            k.instruction = step.value(QStringLiteral("instruction")).toString().simplified().left(1000);
            if (!CacheIndex::isKey(k.key) || k.line < 0 || k.stage < 0)
                return refused(QStringLiteral("example %1 lists a step that is not one").arg(e.name));
            e.plan.append(k);
        }
        kit.m_examples.append(e);
    }
    kit.m_examplesBlob = manifest->layers.first();
    {
        auto blob = layout->blobs()->open(kit.m_examplesBlob.digest, kit.m_examplesBlob.size);
        if (!blob)
            return refused(blob.error().message);
        if (auto read = drain(blob->get(), QStringLiteral("the examples")); !read)
            return refused(read.error().message);
        kit.m_examplesBytes = kit.m_examplesBlob.size;
    }
    // The images: every blob read whole, each layer's diff ID checked.
    for (const QString &name : layout->refNames()) {
        if (name == RefName || name == CacheLayout::RefName)
            continue;
        auto image = layout->image(name);
        if (!image)
            return refused(QStringLiteral("image %1: %2").arg(name, image.error().message));
        for (int i = 0; i < image->layers.size(); ++i) {
            auto blob = image->openLayer(i);
            if (!blob)
                return refused(blob.error().message);
            auto contents = LayerReader::readAll(blob->get(), cancel);
            if (!contents)
                return refused(QStringLiteral("image %1: %2").arg(name, contents.error().message));
            if (auto read = drain(blob->get(), QStringLiteral("image ") + name); !read)
                return refused(read.error().message);
            if (contents->diffId != image->layers[i].diffId)
                return refused(QStringLiteral("image %1: a layer does not match its diff ID").arg(name));
        }
        for (const ImageLayer &layer : std::as_const(image->layers))
            kit.m_imageBlobs.insert(layer.descriptor.digest);
        kit.m_images.append({name, image->blobSize()});
    }
    return kit;
}

Expected<QStringList> ClassroomKit::importInto(ImageStore &store, const QString &examplesDir,
                                               const CancellationToken &cancel) const
{
    auto lease = store.lease(QStringLiteral("import"));
    if (!lease)
        return std::unexpected(lease.error());
    auto layout = OciLayout::open(m_layoutDir);
    if (!layout)
        return std::unexpected(layout.error());
    for (const KitImage &i : m_images) {
        auto image = layout->image(i.name);
        if (!image)
            return std::unexpected(image.error());
        if (auto added = store.addImage(*image, {i.name}, cancel); !added)
            return std::unexpected(added.error());
    }
    const QString cacheDir = store.cacheDir(QStringLiteral("build"));
    for (auto it = m_cache->index().entries.cbegin(); it != m_cache->index().entries.cend(); ++it) {
        auto fetched = m_cache->fetch(it.key(), store, cancel);
        if (!fetched)
            return std::unexpected(fetched.error());
        QSaveFile f(cacheDir + QLatin1Char('/') + it.key() + QStringLiteral(".json"));
        if (!f.open(QIODevice::WriteOnly) ||
            f.write(QJsonDocument(it.value()).toJson(QJsonDocument::Compact)) < 0 || !f.commit())
            return fail(QStringLiteral("cannot write the step cache entry %1").arg(f.fileName()));
    }
    // The examples: unpacked next to each other, then each moved into place.
    QTemporaryDir unpacked(m_scratch->filePath(QStringLiteral("examples-XXXXXX")));
    if (!unpacked.isValid())
        return fail(QStringLiteral("cannot create a scratch directory"));
    auto blob = layout->blobs()->open(m_examplesBlob.digest, m_examplesBlob.size);
    if (!blob)
        return std::unexpected(blob.error());
    ExtractOptions options;
    options.preserveOwnership = false;
    options.createDevices = false;
    options.applyWhiteouts = false;
    options.stripSetid = true;
    if (auto extracted = LayerExtractor::extract(blob->get(), unpacked.path(), options, cancel); !extracted)
        return std::unexpected(extracted.error());
    QDir().mkpath(examplesDir);
    QStringList written;
    for (const KitExample &e : m_examples) {
        const QString target = examplesDir + QLatin1Char('/') + e.name;
        if (QFileInfo::exists(target)) {
            written.append(target);
            continue;
        }
        if (!QDir().rename(unpacked.path() + QLatin1Char('/') + e.name, target))
            return fail(QStringLiteral("cannot put the example %1 into %2").arg(e.name, target));
        written.append(target);
    }
    return written;
}

} // namespace stagecraft
