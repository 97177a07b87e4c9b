// Benchmark of image analysis: builds an OCI layout of about 500 MB in 30,000 files
// (gzip layers of varied, compressible text), then prints how long Stagecraft takes to
// index and analyse it next to `gzip -dc` of the same layer blobs, and how long reopening
// takes once the layer indexes are cached, and once the whole analysis is cached (the
// path `stagecraft inspect` and the window take through ImageSource and the store).
// Then the interactive questions on an opened image, each against the 100 ms (seeds' Go
// image) and 1 s (generated image) targets: opening it, a step's changes, where a file
// came from, bytes per package, a diff with a grown copy, and the peak memory; on a
// generated image of 300,000 files (a nominal 5 GB: mostly small text files, the bulk in
// zero-filled files that compress to almost nothing, so disk use stays modest) and, when
// STAGECRAFT_SEED_STORE holds `seed-go:single` (scripts/test --slow builds it), on the
// seeds' single-stage Go image.
// Prints figures (the process's CPU time and the wall time, medians of repeated rounds, and
// the peak memory); never fails on time. `bench_analysis
// [--index-only|--interactive-only] [--warm] [--files N] [--nominal SIZE] [DIR]` keeps the
// generated images in DIR and reuses them; --warm keeps the last run's caches too.
#include "core/analysis/bytesize.h"
#include "core/analysis/fileprovenance.h"
#include "core/analysis/imageanalysis.h"
#include "core/analysis/imagecomparison.h"
#include "core/analysis/imagesource.h"
#include "core/analysis/layerindexer.h"
#include "core/analysis/layerstep.h"
#include "core/analysis/packagesizes.h"
#include "core/oci/ocilayout.h"
#include "core/store/imagestore.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <sys/resource.h>

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

using namespace stagecraft;

namespace {

constexpr int kLayers = 10;
constexpr int kFilesPerLayer = 3000;
constexpr qint64 kBytesPerLayer = 50'000'000;

// xorshift64*: a fixed seed makes every run build the same image.
struct Random
{
    quint64 state = 0x9e3779b97f4a7c15ULL;
    quint64 next()
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545f4914f6cdd1dULL;
    }
    int below(int n) { return int(next() % quint64(n)); }
};

// Text made of words from a made-up vocabulary: it compresses about as well as source
// code or documentation, not trivially like zeros.
class TextSource
{
public:
    TextSource()
    {
        for (int i = 0; i < 2048; ++i) {
            QByteArray word;
            const int length = 2 + m_random.below(10);
            for (int c = 0; c < length; ++c)
                word.append(char('a' + m_random.below(26)));
            m_words.append(word);
        }
    }
    void fill(QByteArray &out, qint64 size)
    {
        out.clear();
        out.reserve(size + 16);
        while (out.size() < size) {
            out.append(m_words[m_random.below(int(m_words.size()))]);
            out.append(m_random.below(12) == 0 ? '\n' : ' ');
        }
        out.truncate(size);
    }
    Random &random() { return m_random; }

private:
    Random m_random;
    QList<QByteArray> m_words;
};

// Streams a tar through gzip into a file, hashing both forms on the way (for the diff
// ID and the blob digest).
class GzipTarWriter
{
public:
    explicit GzipTarWriter(const QString &path)
        : m_file(path)
    {
        m_file.open(QIODevice::WriteOnly);
        std::memset(&m_z, 0, sizeof m_z);
        deflateInit2(&m_z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    }

    // `declaredSize` >= 0 writes only the header claiming that size (the caller streams the data).
    void add(const QByteArray &name, char type, const QByteArray &data, const QByteArray &linkTarget = {},
             qint64 declaredSize = -1)
    {
        char header[512] = {};
        std::memcpy(header, name.constData(), size_t(qMin<qsizetype>(name.size(), 99)));
        std::snprintf(header + 100, 8, "%07o", type == '5' ? 0755 : 0644);
        std::snprintf(header + 108, 8, "%07o", 0);
        std::snprintf(header + 116, 8, "%07o", 0);
        std::snprintf(header + 124, 12, "%011llo",
                      static_cast<unsigned long long>(declaredSize >= 0 ? declaredSize : data.size()));
        std::snprintf(header + 136, 12, "%011o", 1700000000);
        std::memset(header + 148, ' ', 8);
        header[156] = type;
        std::memcpy(header + 157, linkTarget.constData(), size_t(qMin<qsizetype>(linkTarget.size(), 99)));
        std::memcpy(header + 257, "ustar", 6);
        std::memcpy(header + 263, "00", 2);
        unsigned sum = 0;
        for (unsigned char c : header)
            sum += c;
        std::snprintf(header + 148, 8, "%06o", sum);
        write(header, 512);
        if (declaredSize < 0 && !data.isEmpty()) {
            write(data.constData(), data.size());
            static const char zeros[512] = {};
            if (const qsizetype pad = (512 - data.size() % 512) % 512)
                write(zeros, pad);
        }
    }

    // A regular file of `size` zero bytes, streamed (the bulk of the generated 5 GB).
    void addZeros(const QByteArray &name, qint64 size)
    {
        static const QByteArray zeros(1 << 20, '\0');
        add(name, '0', {}, {}, size);
        qint64 left = size;
        while (left > 0) {
            const qint64 n = qMin<qint64>(left, zeros.size());
            write(zeros.constData(), n);
            left -= n;
        }
        if (const qint64 pad = (512 - size % 512) % 512)
            write(zeros.constData(), pad);
    }

    // Ends the tar; returns {diff ID, blob digest, blob size}.
    std::tuple<QString, QString, qint64> finish()
    {
        static const char zeros[1024] = {};
        write(zeros, 1024);
        deflateChunk(nullptr, 0, Z_FINISH);
        deflateEnd(&m_z);
        m_file.close();
        return {QStringLiteral("sha256:") + QString::fromLatin1(m_tarHash.result().toHex()),
                QStringLiteral("sha256:") + QString::fromLatin1(m_blobHash.result().toHex()), m_blobSize};
    }
    qint64 tarSize() const { return m_tarSize; }

private:
    void write(const char *data, qint64 size)
    {
        m_tarHash.addData(QByteArrayView(data, size));
        m_tarSize += size;
        deflateChunk(data, size, Z_NO_FLUSH);
    }
    void deflateChunk(const char *data, qint64 size, int flush)
    {
        m_z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
        m_z.avail_in = uInt(size);
        char out[1 << 16];
        int status = Z_OK;
        do {
            m_z.next_out = reinterpret_cast<Bytef *>(out);
            m_z.avail_out = sizeof out;
            status = deflate(&m_z, flush);
            const qint64 produced = qint64(sizeof out) - m_z.avail_out;
            m_file.write(out, produced);
            m_blobHash.addData(QByteArrayView(out, produced));
            m_blobSize += produced;
        } while (m_z.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
    }

    QFile m_file;
    z_stream m_z;
    QCryptographicHash m_tarHash{QCryptographicHash::Sha256};
    QCryptographicHash m_blobHash{QCryptographicHash::Sha256};
    qint64 m_tarSize = 0;
    qint64 m_blobSize = 0;
};

QString blobPath(const QString &layout, const QString &digest)
{
    return layout + QStringLiteral("/blobs/sha256/") + digest.mid(7);
}

QString writeJsonBlob(const QString &layout, const QJsonObject &object, qint64 *size)
{
    const QByteArray bytes = QJsonDocument(object).toJson(QJsonDocument::Compact);
    const QString digest =
        QStringLiteral("sha256:") +
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    QFile file(blobPath(layout, digest));
    file.open(QIODevice::WriteOnly);
    file.write(bytes);
    *size = bytes.size();
    return digest;
}

struct Generated
{
    QStringList blobs;
    qint64 files = 0;
    qint64 tarBytes = 0;
    qint64 fileBytes = 0;
    qint64 blobBytes = 0;
};

// An OCI layout with kLayers gzip layers; later layers rewrite and delete some files of
// earlier ones, so there is waste to find.
Generated generate(const QString &layout)
{
    Generated g;
    QDir().mkpath(layout + QStringLiteral("/blobs/sha256"));
    TextSource text;
    Random &random = text.random();
    QJsonArray diffIds, history, manifestLayers;
    QByteArray content;
    for (int layer = 0; layer < kLayers; ++layer) {
        const QString tmp = layout + QStringLiteral("/layer.tmp");
        GzipTarWriter tar(tmp);
        qint64 budget = kBytesPerLayer;
        const QByteArray top = "opt/pkg" + QByteArray::number(layer);
        tar.add(top + '/', '5', {});
        for (int f = 0; f < kFilesPerLayer; ++f) {
            const QByteArray dir = top + "/d" + QByteArray::number(f / 100);
            if (f % 100 == 0)
                tar.add(dir + '/', '5', {});
            // Most files are small; one in ten takes a large share of the layer's bytes.
            const bool large = f % 10 == 0;
            const qint64 size = large ? qMin<qint64>(budget / qMax(1, (kFilesPerLayer - f) / 10), 4'000'000)
                                      : 200 + random.below(8000);
            text.fill(content, qMax<qint64>(0, size));
            budget -= content.size();
            tar.add(dir + "/file" + QByteArray::number(f) + ".txt", '0', content);
            g.fileBytes += content.size();
            ++g.files;
            if (f % 500 == 7) {
                tar.add(dir + "/link" + QByteArray::number(f), '2', {},
                        "file" + QByteArray::number(f) + ".txt");
                ++g.files;
            }
        }
        if (layer > 0) {
            // Rewrite a few files of the layer below and delete a directory of it.
            const QByteArray below = "opt/pkg" + QByteArray::number(layer - 1);
            for (int f = 0; f < 20; ++f) {
                text.fill(content, 10'000);
                tar.add(below + "/d1/file" + QByteArray::number(100 + f) + ".txt", '0', content);
                g.fileBytes += content.size();
                ++g.files;
            }
            tar.add(below + "/.wh.d2", '0', {});
        }
        const auto [diffId, digest, blobSize] = tar.finish();
        g.tarBytes += tar.tarSize();
        QFile::rename(tmp, blobPath(layout, digest));
        g.blobs.append(blobPath(layout, digest));
        g.blobBytes += blobSize;
        diffIds.append(diffId);
        history.append(
            QJsonObject{{QStringLiteral("created_by"), QStringLiteral("RUN make layer %1").arg(layer)}});
        manifestLayers.append(QJsonObject{
            {QStringLiteral("mediaType"), QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip")},
            {QStringLiteral("digest"), digest},
            {QStringLiteral("size"), blobSize}});
    }
    const QJsonObject config{
        {QStringLiteral("architecture"), QStringLiteral("amd64")},
        {QStringLiteral("os"), QStringLiteral("linux")},
        {QStringLiteral("rootfs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                               {QStringLiteral("diff_ids"), diffIds}}},
        {QStringLiteral("history"), history}};
    qint64 configSize = 0;
    const QString configDigest = writeJsonBlob(layout, config, &configSize);
    const QJsonObject manifest{
        {QStringLiteral("schemaVersion"), 2},
        {QStringLiteral("mediaType"), QStringLiteral("application/vnd.oci.image.manifest.v1+json")},
        {QStringLiteral("config"), QJsonObject{{QStringLiteral("mediaType"),
                                                QStringLiteral("application/vnd.oci.image.config.v1+json")},
                                               {QStringLiteral("digest"), configDigest},
                                               {QStringLiteral("size"), configSize}}},
        {QStringLiteral("layers"), manifestLayers}};
    qint64 manifestSize = 0;
    const QString manifestDigest = writeJsonBlob(layout, manifest, &manifestSize);
    const QJsonObject index{
        {QStringLiteral("schemaVersion"), 2},
        {QStringLiteral("manifests"),
         QJsonArray{QJsonObject{
             {QStringLiteral("mediaType"), QStringLiteral("application/vnd.oci.image.manifest.v1+json")},
             {QStringLiteral("digest"), manifestDigest},
             {QStringLiteral("size"), manifestSize},
             {QStringLiteral("annotations"), QJsonObject{{QStringLiteral("org.opencontainers.image.ref.name"),
                                                          QStringLiteral("bench")}}}}}}};
    QFile indexFile(layout + QStringLiteral("/index.json"));
    indexFile.open(QIODevice::WriteOnly);
    indexFile.write(QJsonDocument(index).toJson());
    QFile marker(layout + QStringLiteral("/oci-layout"));
    marker.open(QIODevice::WriteOnly);
    marker.write(R"({"imageLayoutVersion":"1.0.0"})");
    return g;
}

struct Timed
{
    qint64 indexMs = 0;
    qint64 analyseMs = 0;
    qint64 totalMs = 0;
    ImageAnalysis analysis;
    IndexingStats stats;
};

Timed analyse(const QString &layout, const std::optional<LayerIndexCache> &cache, int threads)
{
    Timed t;
    QElapsedTimer total;
    total.start();
    auto oci = OciLayout::open(layout);
    auto image = oci ? oci->image() : Expected<Image>(std::unexpected(oci.error()));
    if (!image) {
        std::fprintf(stderr, "cannot open the layout: %s\n", qPrintable(image.error().message));
        std::exit(1);
    }
    QElapsedTimer step;
    step.start();
    LayerIndexer indexer(cache);
    auto layers = indexer.index(*image, {}, threads);
    if (!layers) {
        std::fprintf(stderr, "indexing failed: %s\n", qPrintable(layers.error().message));
        std::exit(1);
    }
    t.indexMs = step.restart();
    t.analysis = ImageAnalysis::analyze(*layers);
    t.analyseMs = step.elapsed();
    t.totalMs = total.elapsed();
    t.stats = indexer.stats();
    return t;
}

} // namespace

// The interactive questions (issue: under 100 ms on the seeds' image, under 1 s on the
// generated 5 GB one).
namespace {

struct LayerBlob
{
    QString diffId;
    QString digest;
    qint64 size = 0;
    QString createdBy;
};

// The manifest of an image of `layers` (blobs already in the layout), as an index entry.
QJsonObject writeImage(const QString &layout, const QList<LayerBlob> &layers, const QString &name)
{
    QJsonArray diffIds, history, manifestLayers;
    for (const LayerBlob &l : layers) {
        diffIds.append(l.diffId);
        history.append(QJsonObject{{QStringLiteral("created_by"), l.createdBy}});
        manifestLayers.append(QJsonObject{
            {QStringLiteral("mediaType"), QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip")},
            {QStringLiteral("digest"), l.digest},
            {QStringLiteral("size"), l.size}});
    }
    const QJsonObject config{
        {QStringLiteral("architecture"), QStringLiteral("amd64")},
        {QStringLiteral("os"), QStringLiteral("linux")},
        {QStringLiteral("rootfs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                               {QStringLiteral("diff_ids"), diffIds}}},
        {QStringLiteral("history"), history}};
    qint64 configSize = 0;
    const QString configDigest = writeJsonBlob(layout, config, &configSize);
    const QJsonObject manifest{
        {QStringLiteral("schemaVersion"), 2},
        {QStringLiteral("mediaType"), QStringLiteral("application/vnd.oci.image.manifest.v1+json")},
        {QStringLiteral("config"), QJsonObject{{QStringLiteral("mediaType"),
                                                QStringLiteral("application/vnd.oci.image.config.v1+json")},
                                               {QStringLiteral("digest"), configDigest},
                                               {QStringLiteral("size"), configSize}}},
        {QStringLiteral("layers"), manifestLayers}};
    qint64 manifestSize = 0;
    const QString manifestDigest = writeJsonBlob(layout, manifest, &manifestSize);
    return QJsonObject{
        {QStringLiteral("mediaType"), QStringLiteral("application/vnd.oci.image.manifest.v1+json")},
        {QStringLiteral("digest"), manifestDigest},
        {QStringLiteral("size"), manifestSize},
        {QStringLiteral("annotations"),
         QJsonObject{{QStringLiteral("org.opencontainers.image.ref.name"), name}}}};
}

LayerBlob finishLayer(const QString &layout, GzipTarWriter &tar, const QString &tmp, const QString &createdBy)
{
    const auto [diffId, digest, blobSize] = tar.finish();
    QFile::remove(blobPath(layout, digest));
    QFile::rename(tmp, blobPath(layout, digest));
    return {diffId, digest, blobSize, createdBy};
}

struct Many
{
    qint64 files = 0;
    qint64 nominalBytes = 0;
    qint64 blobBytes = 0;
    int packages = 0;
};

// An image "many" of `files` files in 10 layers adding up to about `nominal` bytes, with a
// dpkg database owning every file (a package per directory of 100 files), and "many-b": the
// same plus a layer that rewrites, removes and adds files, to diff against.
Many generateMany(const QString &layout, qint64 files, qint64 nominal)
{
    Many m;
    QDir().mkpath(layout + QStringLiteral("/blobs/sha256"));
    constexpr int layers = 10;
    constexpr int bigEvery = 100; // one file in a hundred is zero-filled and holds the bulk
    const qint64 perLayer = qMax<qint64>(files / layers, 100);
    const qint64 bigCount = qMax<qint64>(1, perLayer * layers / bigEvery);
    const qint64 bigSize = qMax<qint64>(0, (nominal - perLayer * layers * 500) / bigCount);
    TextSource text;
    Random &random = text.random();
    QByteArray content;
    QList<LayerBlob> blobs;
    QByteArray status;
    QList<QPair<QByteArray, QByteArray>> lists; // package -> .list contents
    const QString tmp = layout + QStringLiteral("/layer.tmp");
    for (int layer = 0; layer < layers; ++layer) {
        GzipTarWriter tar(tmp);
        const QByteArray top = "opt/pkg" + QByteArray::number(layer);
        tar.add(top + '/', '5', {});
        QByteArray list;
        for (qint64 f = 0; f < perLayer; ++f) {
            const QByteArray dir = top + "/d" + QByteArray::number(f / 100);
            if (f % 100 == 0) {
                if (!list.isEmpty())
                    lists.append({top.mid(4) + '-' + QByteArray::number(f / 100 - 1), list});
                list.clear();
                tar.add(dir + '/', '5', {});
            }
            const QByteArray name = dir + "/file" + QByteArray::number(f);
            if (f % bigEvery == 50) {
                tar.addZeros(name, bigSize);
                m.nominalBytes += bigSize;
            } else {
                text.fill(content, 200 + random.below(600));
                tar.add(name, '0', content);
                m.nominalBytes += content.size();
            }
            list += '/' + name + '\n';
            ++m.files;
        }
        lists.append({top.mid(4) + '-' + QByteArray::number((perLayer - 1) / 100), list});
        if (layer == layers - 1) {
            tar.add("var/", '5', {});
            tar.add("var/lib/", '5', {});
            tar.add("var/lib/dpkg/", '5', {});
            tar.add("var/lib/dpkg/info/", '5', {});
            for (const auto &[package, fileList] : std::as_const(lists)) {
                status += "Package: " + package +
                          "\nStatus: install ok installed\nVersion: 1.0\n"
                          "Architecture: amd64\nDescription: generated\n\n";
                tar.add("var/lib/dpkg/info/" + package + ".list", '0', fileList);
            }
            tar.add("var/lib/dpkg/status", '0', status);
            m.packages = int(lists.size());
        }
        blobs.append(finishLayer(layout, tar, tmp, QStringLiteral("RUN make layer %1").arg(layer)));
        m.blobBytes += blobs.last().size;
    }
    // many-b: rewrite a thousand files of layer 5, remove a directory of layer 6, add 5,000.
    GzipTarWriter tar(tmp);
    for (int f = 0; f < 1000 && f < perLayer; ++f) {
        if (f % bigEvery == 50)
            continue;
        text.fill(content, 300 + random.below(900));
        tar.add("opt/pkg5/d" + QByteArray::number(f / 100) + "/file" + QByteArray::number(f), '0', content);
    }
    tar.add("opt/pkg6/.wh.d3", '0', {});
    tar.add("opt/extra/", '5', {});
    for (int f = 0; f < 5000; ++f) {
        text.fill(content, 200 + random.below(2000));
        tar.add("opt/extra/new" + QByteArray::number(f), '0', content);
    }
    QList<LayerBlob> grown = blobs;
    grown.append(finishLayer(layout, tar, tmp, QStringLiteral("RUN make more")));
    m.blobBytes += grown.last().size;
    const QJsonObject index{
        {QStringLiteral("schemaVersion"), 2},
        {QStringLiteral("manifests"), QJsonArray{writeImage(layout, blobs, QStringLiteral("many")),
                                                 writeImage(layout, grown, QStringLiteral("many-b"))}}};
    QFile indexFile(layout + QStringLiteral("/index.json"));
    indexFile.open(QIODevice::WriteOnly);
    indexFile.write(QJsonDocument(index).toJson());
    QFile marker(layout + QStringLiteral("/oci-layout"));
    marker.open(QIODevice::WriteOnly);
    marker.write(R"({"imageLayoutVersion":"1.0.0"})");
    return m;
}

long peakMemoryKiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

double processCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// One piece of work timed `rounds` times: the medians (the machine is shared, so a round
// can be stretched by someone else's work) and the best. CPU time is the process's, so the
// work of the indexer's threads counts; on a loaded machine it is what the code costs,
// while the wall time says what a person waits.
struct Repeated
{
    int rounds = 0;
    double cpuMs = 0;
    double wallMs = 0;
    double bestCpuMs = 0;
    double bestWallMs = 0;
};

// `between` runs before each round, untimed (to free the last round's result, say).
template <typename Work, typename Between = void (*)()>
Repeated repeat(
    int rounds, Work &&work, Between &&between = [] {})
{
    std::vector<double> cpu;
    std::vector<double> wall;
    for (int i = 0; i < rounds; ++i) {
        between();
        QElapsedTimer timer;
        timer.start();
        const double cpuStart = processCpuMs();
        work();
        cpu.push_back(processCpuMs() - cpuStart);
        wall.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(cpu.begin(), cpu.end());
    std::sort(wall.begin(), wall.end());
    return {rounds, cpu[cpu.size() / 2], wall[wall.size() / 2], cpu.front(), wall.front()};
}

constexpr int kRounds = 3; // per interactive question

void figure(const char *what, const Repeated &r, double targetMs, const QString &note = {})
{
    // Judged on CPU time: other work on the machine stretches the wall time.
    const QString verdict = targetMs <= 0         ? QString()
                            : r.cpuMs <= targetMs ? QStringLiteral("ok (target %1 ms)").arg(targetMs)
                                                  : QStringLiteral("MISSES (target %1 ms)").arg(targetMs);
    std::printf("  %-40s %9.1f ms cpu %9.1f ms wall  %s%s\n", what, r.cpuMs, r.wallMs, qPrintable(verdict),
                note.isEmpty() ? "" : qPrintable(QStringLiteral("  ") + note));
}

// Opens `argument` (cold, then from the caches) and asks the interactive questions, against
// `other` for the diff; caches go to a fresh store under `base`. Each question is asked
// kRounds times and its medians printed.
bool interactive(const QString &title, const QString &base, const QString &argument, const QString &other,
                 double targetMs, bool warm)
{
    std::printf("\n%s (median of %d rounds each, CPU and wall)\n", qPrintable(title), kRounds);
    const QString storeRoot = base + QStringLiteral("/store-interactive");
    if (!warm)
        QDir(storeRoot).removeRecursively();
    auto store = ImageStore::open(storeRoot);
    if (!store) {
        std::fprintf(stderr, "cannot open the store: %s\n", qPrintable(store.error().message));
        return false;
    }
    std::optional<Expected<OpenedImage>> cold;
    const Repeated coldTime = repeat(1, [&] { cold = ImageSource::analyse(argument, &*store); });
    if (!*cold) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(argument), qPrintable(cold->error().message));
        return false;
    }
    std::printf("  %lld layers, %d paths, %s of files in the final filesystem, %s compressed\n",
                static_cast<long long>((*cold)->analysis->layers().size()),
                (*cold)->analysis->finalTree().nodeCount(),
                qPrintable(formatByteSize((*cold)->analysis->finalTree().totalSize())),
                qPrintable(formatByteSize((*cold)->analysis->compressedSize())));
    // Several threads read the layers: the CPU time adds theirs up.
    std::printf("  %-40s %9.1f ms cpu %9.1f ms wall%s\n", "open, cold (read layers, write caches)",
                coldTime.cpuMs, coldTime.wallMs, warm ? " (--warm: from the last run's caches)" : "");
    cold.reset();

    std::optional<Expected<OpenedImage>> opened;
    const Repeated openTime = repeat(
        kRounds,
        [&] {
            opened = ImageSource::analyse(argument, &*store);
            if (*opened)
                (void)(*opened)->analysis->finalTree().nodeCount();
        },
        [&] { opened.reset(); }); // one image in memory at a time, as in the window
    if (!*opened) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(argument), qPrintable(opened->error().message));
        return false;
    }
    figure("open (cached analysis + merged tree)", openTime, targetMs);
    const ImageAnalysis &analysis = *(*opened)->analysis;
    const FileTree &tree = analysis.finalTree();

    // Step view: every layer's changes (one pick needs one of them).
    QString biggest;
    const Repeated steps = repeat(kRounds, [&] {
        qint64 biggestDelta = -1;
        for (int l = 0; l < analysis.layers().size(); ++l) {
            const LayerStep step = LayerStep::of(analysis, l);
            if (step.sizeDelta() > biggestDelta) {
                biggestDelta = step.sizeDelta();
                biggest = step.headline();
            }
        }
    });
    figure("step view (every layer)", steps, targetMs, biggest.left(70));

    // Provenance of the largest file.
    int largest = -1;
    QList<int> stack{FileTree::Root};
    while (!stack.isEmpty()) {
        const int id = stack.takeLast();
        const FileNode &n = tree.node(id);
        if (n.type == EntryType::Directory)
            stack.append(n.children);
        else if (largest < 0 || n.size > tree.node(largest).size)
            largest = id;
    }
    const QString largestPath = largest >= 0 ? tree.path(largest) : QStringLiteral("/");
    std::optional<Expected<FileOrigin>> origin;
    const Repeated why = repeat(kRounds, [&] { origin = FileProvenance::inImage(analysis, largestPath); });
    figure("provenance (why) of the largest file", why, targetMs,
           *origin ? QStringLiteral("%1, layer %2").arg(largestPath).arg((*origin)->layer)
                   : origin->error().message);

    // Bytes per package: the first time reads the databases from their layers.
    const QString packageCache = store->cacheDir(QStringLiteral("packages"));
    std::optional<Expected<PackageSizeReport>> packages;
    const Repeated firstPackages =
        repeat(1, [&] { packages = PackageSizes::ofImage((*opened)->image, analysis, packageCache); });
    figure("package sizes, first time", firstPackages, -1,
           *packages && (*packages)->fromCache ? QStringLiteral("(cached)") : QString());
    const Repeated cachedPackages =
        repeat(kRounds, [&] { packages = PackageSizes::ofImage((*opened)->image, analysis, packageCache); });
    QString top;
    if (*packages && !(*packages)->packages.isEmpty())
        top =
            QStringLiteral("%1 packages; %2 %3, layer %4")
                .arg((*packages)->packages.size())
                .arg((*packages)->packages.first().name, formatByteSize((*packages)->packages.first().bytes))
                .arg((*packages)->packages.first().layer);
    figure("package sizes (databases cached)", cachedPackages, targetMs, top);
    packages.reset();

    // Diff against the other image (opened and cached first: the figure is the comparison).
    auto right = ImageSource::analyse(other, &*store);
    if (right) {
        (void)right->analysis->finalTree().nodeCount();
        std::optional<ImageComparison> diff;
        const Repeated diffTime =
            repeat(kRounds, [&] { diff = ImageComparison::compare(analysis, *right->analysis); });
        figure("diff", diffTime, targetMs,
               QStringLiteral("%1 added, %2 removed, %3 changed")
                   .arg(diff->onlyInRight().size())
                   .arg(diff->onlyInLeft().size())
                   .arg(diff->changed().size()));
    } else {
        std::printf("  diff: %s\n", qPrintable(right.error().message));
    }
    std::printf("  peak memory (maxrss, whole process so far): %.1f MB\n", peakMemoryKiB() / 1024.0);
    return true;
}

int interactiveBench(const QString &base, qint64 files, qint64 nominal, bool warm)
{
    // The seeds' Go image, when a seed store has it (exported so its store is only read).
    const QString seedStore = qEnvironmentVariable("STAGECRAFT_SEED_STORE");
    bool seedDone = false;
    if (!seedStore.isEmpty()) {
        auto seeds = ImageStore::open(seedStore);
        const QString single = base + QStringLiteral("/seed-single.oci");
        const QString baseImage = base + QStringLiteral("/seed-base.oci");
        if (seeds && !QFile::exists(single + QStringLiteral("/index.json"))) {
            auto exported = seeds->exportImage(QStringLiteral("seed-go:single"), single, ExportFormat::Oci);
            if (exported)
                exported =
                    seeds->exportImage(QStringLiteral("debian:bookworm"), baseImage, ExportFormat::Oci);
            if (!exported)
                std::printf("\nseeds' Go image: %s\n", qPrintable(exported.error().message));
        }
        if (QFile::exists(single + QStringLiteral("/index.json")))
            seedDone =
                interactive(QStringLiteral("seeds' single-stage Go image (seed-go:single; diff against "
                                           "debian:bookworm)"),
                            base, single, baseImage, 100, warm);
    }
    if (!seedDone)
        std::printf("\nseeds' Go image: skipped (set STAGECRAFT_SEED_STORE to a store holding seed-go:single "
                    "and debian:bookworm; `scripts/test --slow` builds one)\n");

    const QString layout = base + QStringLiteral("/many-%1-%2").arg(files).arg(nominal);
    QElapsedTimer timer;
    timer.start();
    QFile kept(layout + QStringLiteral("/generated.txt"));
    Many m;
    if (QFile::exists(layout + QStringLiteral("/index.json")) && kept.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> figures = kept.readAll().split(' ');
        m.files = figures.value(0).toLongLong();
        m.nominalBytes = figures.value(1).toLongLong();
        m.blobBytes = figures.value(2).toLongLong();
        m.packages = figures.value(3).toInt();
    } else {
        QDir(layout).removeRecursively();
        m = generateMany(layout, files, nominal);
        kept.setFileName(layout + QStringLiteral("/generated.txt"));
        if (kept.open(QIODevice::WriteOnly))
            kept.write(QByteArray::number(m.files) + ' ' + QByteArray::number(m.nominalBytes) + ' ' +
                       QByteArray::number(m.blobBytes) + ' ' + QByteArray::number(m.packages));
    }
    kept.close();
    std::printf("\ngenerated image: %lld files, nominal %s of files, %d dpkg packages, %s of gzip blobs on "
                "disk (built or found in %.1f s)\n",
                static_cast<long long>(m.files), qPrintable(formatByteSize(m.nominalBytes)), m.packages,
                qPrintable(formatByteSize(m.blobBytes)), timer.elapsed() / 1000.0);
    interactive(QStringLiteral("generated image (diff against itself plus a layer)"), base,
                layout + QStringLiteral(":many"), layout + QStringLiteral(":many-b"), 1000, warm);
    return 0;
}

} // namespace

namespace {

int indexBench(const QString &base)
{
    const QString layout = base + QStringLiteral("/image");
    const QString storeRoot = base + QStringLiteral("/store");
    // A fresh store each run, so the first analysis below really is cold.
    QDir(storeRoot).removeRecursively();
    auto store = ImageStore::open(storeRoot);
    if (!store) {
        std::fprintf(stderr, "cannot open the store: %s\n", qPrintable(store.error().message));
        return 1;
    }
    const QString cacheDir = store->cacheDir(QStringLiteral("layer-index"));

    QElapsedTimer timer;
    timer.start();
    Generated g;
    const QString summary = base + QStringLiteral("/generated.txt");
    QFile kept(summary);
    if (QFile::exists(layout + QStringLiteral("/index.json")) && kept.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> figures = kept.readAll().split(' ');
        g.files = figures.value(0).toLongLong();
        g.fileBytes = figures.value(1).toLongLong();
        g.tarBytes = figures.value(2).toLongLong();
        g.blobBytes = figures.value(3).toLongLong();
        const QStringList names = QDir(layout + QStringLiteral("/blobs/sha256")).entryList(QDir::Files);
        for (const QString &name : names) {
            if (QFileInfo(layout + QStringLiteral("/blobs/sha256/") + name).size() > 1'000'000)
                g.blobs.append(layout + QStringLiteral("/blobs/sha256/") + name);
        }
    } else {
        QDir(layout).removeRecursively();
        g = generate(layout);
        if (kept.open(QIODevice::WriteOnly))
            kept.write(QByteArray::number(g.files) + ' ' + QByteArray::number(g.fileBytes) + ' ' +
                       QByteArray::number(g.tarBytes) + ' ' + QByteArray::number(g.blobBytes));
    }
    kept.close();
    std::printf("image: %d gzip layers, %lld files, %.1f MB of files, %.1f MB of tar, %.1f MB compressed "
                "(built or found in %.1f s)\n",
                kLayers, static_cast<long long>(g.files), g.fileBytes / 1e6, g.tarBytes / 1e6,
                g.blobBytes / 1e6, timer.elapsed() / 1000.0);

    const QString gzip = QStandardPaths::findExecutable(QStringLiteral("gzip"));
    qint64 gzipMs = -1;
    if (!gzip.isEmpty()) {
        QProcess p;
        p.setStandardOutputFile(QProcess::nullDevice());
        QStringList args{QStringLiteral("-dc")};
        args += g.blobs;
        timer.restart();
        p.start(gzip, args);
        p.waitForFinished(-1);
        gzipMs = timer.elapsed();
        std::printf("gzip -dc of all layers:                    %6lld ms\n", static_cast<long long>(gzipMs));
    } else {
        std::printf("gzip not found: no baseline\n");
    }

    const Timed single = analyse(layout, std::nullopt, 1);
    std::printf("stagecraft cold, 1 thread:                 %6lld ms (read+index %lld, analyse %lld)\n",
                static_cast<long long>(single.totalMs), static_cast<long long>(single.indexMs),
                static_cast<long long>(single.analyseMs));
    const Timed cold = analyse(layout, LayerIndexCache(cacheDir), 0);
    std::printf("stagecraft cold, all cores, writing cache: %6lld ms (read+index %lld, analyse %lld)\n",
                static_cast<long long>(cold.totalMs), static_cast<long long>(cold.indexMs),
                static_cast<long long>(cold.analyseMs));
    if (gzipMs > 0)
        std::printf("ratio to gzip -dc: %.2fx (1 thread), %.2fx (all cores); target 1.3x\n",
                    double(single.totalMs) / double(gzipMs), double(cold.totalMs) / double(gzipMs));

    Timed warm;
    const Repeated reopen = repeat(7, [&] { warm = analyse(layout, LayerIndexCache(cacheDir), 0); });
    std::printf(
        "reopen with cached indexes:                %6.0f ms median (%.0f ms cpu), %.0f ms best (load "
        "%lld, analyse %lld; %d of %d layers from cache); target < 50 ms\n",
        reopen.wallMs, reopen.cpuMs, reopen.bestWallMs, static_cast<long long>(warm.indexMs),
        static_cast<long long>(warm.analyseMs), warm.stats.layersFromCache, kLayers);
    std::printf("result: %lld bytes in %lld paths, wasted %lld bytes, efficiency %.4f\n",
                static_cast<long long>(warm.analysis.totalSize()),
                static_cast<long long>(warm.analysis.finalTree().nodeCount()),
                static_cast<long long>(warm.analysis.wastedBytes()), warm.analysis.efficiency());
    std::printf("total size %s the generated files' bytes\n",
                warm.analysis.totalSize() == g.fileBytes ? "equals" : "DIFFERS FROM");

    // The path inspect and the window take: the first call analyses (from the cached
    // layer indexes) and writes the analysis cache, the next ones only read it.
    timer.restart();
    auto first = ImageSource::analyse(layout, &*store);
    if (!first) {
        std::fprintf(stderr, "ImageSource failed: %s\n", qPrintable(first.error().message));
        return 1;
    }
    std::printf("ImageSource, analysing and writing the analysis cache: %6lld ms (%s)\n",
                static_cast<long long>(timer.elapsed()),
                first->stats.cacheProblems.isEmpty() ? "no cache problems"
                                                     : qPrintable(first->stats.cacheProblems.join(u"; ")));
    // Each reopening keeps its analysis, so the merged tree is then decoded once per round.
    std::vector<std::shared_ptr<const ImageAnalysis>> reopenings;
    bool fromCache = true;
    const Repeated cached = repeat(7, [&] {
        auto again = ImageSource::analyse(layout, &*store);
        if (!again) {
            std::fprintf(stderr, "ImageSource failed: %s\n", qPrintable(again.error().message));
            std::exit(1);
        }
        fromCache = fromCache && again->stats.analysisFromCache;
        reopenings.push_back(again->analysis);
    });
    size_t next = 0;
    const Repeated treeTimes = repeat(7, [&] { (void)reopenings[next++]->finalTree().nodeCount(); });
    const std::shared_ptr<const ImageAnalysis> reopened = reopenings.back();
    std::printf(
        "reopen with the cached analysis:           %6.1f ms median (%.1f ms cpu), %.1f ms best (%s); "
        "target < 50 ms\n",
        cached.wallMs, cached.cpuMs, cached.bestWallMs,
        fromCache ? "every time from the cache" : "NOT ALWAYS FROM THE CACHE");
    std::printf("  then the merged tree on first use:       %6.1f ms median (%.1f ms cpu), %.1f ms best\n",
                treeTimes.wallMs, treeTimes.cpuMs, treeTimes.bestWallMs);
    const bool same = reopened->totalSize() == warm.analysis.totalSize() &&
                      reopened->wastedBytes() == warm.analysis.wastedBytes() &&
                      reopened->efficiency() == warm.analysis.efficiency() &&
                      reopened->inefficientFiles() == warm.analysis.inefficientFiles() &&
                      reopened->finalTree().dump() == warm.analysis.finalTree().dump();
    std::printf("cached analysis %s the fresh one\n", same ? "equals" : "DIFFERS FROM");
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    bool index = true;
    bool interactiveQuestions = true;
    bool warm = false;
    qint64 files = 300'000;
    qint64 nominal = 5'000'000'000;
    QString base;
    while (!args.isEmpty()) {
        const QString arg = args.takeFirst();
        if (arg == u"--index-only") {
            interactiveQuestions = false;
        } else if (arg == u"--warm") {
            warm = true;
        } else if (arg == u"--interactive-only") {
            index = false;
        } else if (arg == u"--files" && !args.isEmpty()) {
            files = args.takeFirst().toLongLong();
        } else if (arg == u"--nominal" && !args.isEmpty()) {
            auto size = parseByteSize(args.takeFirst());
            if (!size) {
                std::fprintf(stderr, "--nominal: %s\n", qPrintable(size.error().message));
                return 2;
            }
            nominal = *size;
        } else if (!arg.startsWith(u'-') && base.isEmpty()) {
            base = arg;
        } else {
            std::fprintf(stderr,
                         "usage: bench_analysis [--index-only|--interactive-only] [--warm] [--files N] "
                         "[--nominal SIZE] [DIR]\n");
            return 2;
        }
    }
    QTemporaryDir temporary;
    if (base.isEmpty())
        base = temporary.path();
    QDir().mkpath(base);
    if (index)
        if (const int status = indexBench(base); status != 0)
            return status;
    return interactiveQuestions ? interactiveBench(base, files, nominal, warm) : 0;
}
