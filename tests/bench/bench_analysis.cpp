// Benchmark of image analysis: builds an OCI layout of about 500 MB in 30,000 files
// (gzip layers of varied, compressible text), then prints how long Stagecraft takes to
// index and analyse it next to `gzip -dc` of the same layer blobs, and how long reopening
// takes once the layer indexes are cached, and once the whole analysis is cached (the
// path `stagecraft inspect` and the window take through ImageSource and the store).
// Prints figures; never fails on time. `bench_analysis DIR` keeps the generated image in
// DIR and reuses it on the next run.
#include "core/analysis/imageanalysis.h"
#include "core/analysis/imagesource.h"
#include "core/analysis/layerindexer.h"
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

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
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

    void add(const QByteArray &name, char type, const QByteArray &data, const QByteArray &linkTarget = {})
    {
        char header[512] = {};
        std::memcpy(header, name.constData(), size_t(qMin<qsizetype>(name.size(), 99)));
        std::snprintf(header + 100, 8, "%07o", type == '5' ? 0755 : 0644);
        std::snprintf(header + 108, 8, "%07o", 0);
        std::snprintf(header + 116, 8, "%07o", 0);
        std::snprintf(header + 124, 12, "%011llo", static_cast<unsigned long long>(data.size()));
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
        if (!data.isEmpty()) {
            write(data.constData(), data.size());
            static const char zeros[512] = {};
            if (const qsizetype pad = (512 - data.size() % 512) % 512)
                write(zeros, pad);
        }
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

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir temporary;
    const QString base = argc > 1 ? QString::fromLocal8Bit(argv[1]) : temporary.path();
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

    std::vector<qint64> reopen;
    Timed warm;
    for (int i = 0; i < 7; ++i) {
        warm = analyse(layout, LayerIndexCache(cacheDir), 0);
        reopen.push_back(warm.totalMs);
    }
    std::sort(reopen.begin(), reopen.end());
    std::printf(
        "reopen with cached indexes:                %6lld ms median, %lld ms best (load %lld, analyse "
        "%lld; %d of %d layers from cache); target < 50 ms\n",
        static_cast<long long>(reopen[reopen.size() / 2]), static_cast<long long>(reopen.front()),
        static_cast<long long>(warm.indexMs), static_cast<long long>(warm.analyseMs),
        warm.stats.layersFromCache, kLayers);
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
    std::vector<qint64> cached;
    std::vector<qint64> treeTimes;
    std::shared_ptr<const ImageAnalysis> reopened;
    bool fromCache = true;
    for (int i = 0; i < 7; ++i) {
        timer.restart();
        auto again = ImageSource::analyse(layout, &*store);
        cached.push_back(timer.elapsed());
        if (!again) {
            std::fprintf(stderr, "ImageSource failed: %s\n", qPrintable(again.error().message));
            return 1;
        }
        fromCache = fromCache && again->stats.analysisFromCache;
        timer.restart();
        (void)again->analysis->finalTree().nodeCount();
        treeTimes.push_back(timer.elapsed());
        reopened = again->analysis;
    }
    std::sort(cached.begin(), cached.end());
    std::sort(treeTimes.begin(), treeTimes.end());
    std::printf(
        "reopen with the cached analysis:           %6lld ms median, %lld ms best (%s); target < 50 ms\n",
        static_cast<long long>(cached[cached.size() / 2]), static_cast<long long>(cached.front()),
        fromCache ? "every time from the cache" : "NOT ALWAYS FROM THE CACHE");
    std::printf("  then the merged tree on first use:       %6lld ms median, %lld ms best\n",
                static_cast<long long>(treeTimes[treeTimes.size() / 2]),
                static_cast<long long>(treeTimes.front()));
    const bool same = reopened->totalSize() == warm.analysis.totalSize() &&
                      reopened->wastedBytes() == warm.analysis.wastedBytes() &&
                      reopened->efficiency() == warm.analysis.efficiency() &&
                      reopened->inefficientFiles() == warm.analysis.inefficientFiles() &&
                      reopened->finalTree().dump() == warm.analysis.finalTree().dump();
    std::printf("cached analysis %s the fresh one\n", same ? "equals" : "DIFFERS FROM");
    return 0;
}
