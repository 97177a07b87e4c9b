// How fast layer tarballs compress and decompress, and how small they get, with the
// compressors a store could use for its blobs: gzip through zlib (level 6 is what the
// store writes today, see LayerWriteOptions, and what Docker pushes), libdeflate (whole
// buffer, and cut into 1 MiB gzip members so that it can stream), pigz on two threads and
// zstd level 3. The inputs are real files of this machine packed by tar: a large layer
// (the start of /usr) and a small one (the start of /etc).
// Usage: bench_compress [large-MB] [rounds]. Prints figures; never fails on time.
#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <functional>

#include <libdeflate.h>
#include <zlib.h>
#include <zstd.h>

namespace {

// The regular files and symlinks below `root`, in path order, taken until `limit` bytes,
// packed by tar into `tarPath`. Returns the tar's bytes, empty on failure.
QByteArray makeLayerTar(const QString &root, qint64 limit, const QString &tarPath)
{
    QStringList paths;
    QDirIterator it(root, QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        paths.append(it.next());
    std::sort(paths.begin(), paths.end());
    QFile list(tarPath + QStringLiteral(".list"));
    if (!list.open(QIODevice::WriteOnly))
        return {};
    qint64 total = 0;
    for (const QString &path : std::as_const(paths)) {
        const QFileInfo info(path);
        if (!info.isSymLink() && !info.isReadable())
            continue;
        list.write(path.mid(1).toUtf8() + '\n');
        total += info.isSymLink() ? 0 : info.size();
        if (total >= limit)
            break;
    }
    list.close();
    QProcess tar;
    tar.start(QStringLiteral("tar"),
              {QStringLiteral("--no-recursion"), QStringLiteral("-cf"), tarPath, QStringLiteral("-C"),
               QStringLiteral("/"), QStringLiteral("-T"), list.fileName()});
    if (!tar.waitForFinished(600000) || tar.exitCode() != 0) {
        std::fprintf(stderr, "tar failed: %s\n", tar.readAllStandardError().constData());
        return {};
    }
    QFile f(tarPath);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// One compressor: turns the tar into its output, and the output back into `size` bytes.
struct Codec
{
    QString name;
    std::function<QByteArray(const QByteArray &)> compress;
    std::function<QByteArray(const QByteArray &, qsizetype size)> decompress;
    bool gzip = true; // the output is gzip, readable by every registry client
};

QByteArray zlibCompress(const QByteArray &in, int level)
{
    // Streamed in 1 MiB pieces as LayerWriter does.
    z_stream z{};
    deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(qsizetype(deflateBound(&z, uLong(in.size()))), Qt::Uninitialized);
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    const qsizetype piece = 1 << 20;
    for (qsizetype offset = 0; offset < in.size(); offset += piece) {
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData() + offset));
        z.avail_in = uInt(std::min(piece, in.size() - offset));
        deflate(&z, Z_NO_FLUSH);
    }
    deflate(&z, Z_FINISH);
    out.resize(qsizetype(z.total_out));
    deflateEnd(&z);
    return out;
}

QByteArray zlibDecompress(const QByteArray &in, qsizetype size)
{
    QByteArray out(size, Qt::Uninitialized);
    z_stream z{};
    inflateInit2(&z, 15 + 32);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
    z.avail_in = uInt(in.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    // Several gzip members (pigz's and the chunked libdeflate output are one, but a
    // reader must not assume it) follow each other.
    while (z.avail_in > 0 && inflate(&z, Z_NO_FLUSH) == Z_STREAM_END)
        inflateReset(&z);
    out.resize(size - qsizetype(z.avail_out));
    inflateEnd(&z);
    return out;
}

QByteArray deflateCompress(const QByteArray &in, int level, qsizetype member)
{
    libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    QByteArray out;
    const qsizetype piece = member > 0 ? member : in.size();
    for (qsizetype offset = 0; offset < in.size(); offset += piece) {
        const qsizetype n = std::min(piece, in.size() - offset);
        const qsizetype start = out.size();
        out.resize(start + qsizetype(libdeflate_gzip_compress_bound(c, size_t(n))));
        const size_t written = libdeflate_gzip_compress(c, in.constData() + offset, size_t(n),
                                                        out.data() + start, size_t(out.size() - start));
        out.resize(start + qsizetype(written));
    }
    libdeflate_free_compressor(c);
    return out;
}

QByteArray deflateDecompress(const QByteArray &in, qsizetype size)
{
    libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    QByteArray out(size, Qt::Uninitialized);
    size_t inOffset = 0;
    size_t outOffset = 0;
    while (inOffset < size_t(in.size())) {
        size_t used = 0;
        size_t produced = 0;
        if (libdeflate_gzip_decompress_ex(d, in.constData() + inOffset, size_t(in.size()) - inOffset,
                                          out.data() + outOffset, size_t(size) - outOffset, &used,
                                          &produced) != LIBDEFLATE_SUCCESS)
            break;
        inOffset += used;
        outOffset += produced;
    }
    libdeflate_free_decompressor(d);
    out.resize(qsizetype(outOffset));
    return out;
}

QByteArray zstdCompress(const QByteArray &in, int level, int threads)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
    if (threads > 0)
        ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, threads);
    QByteArray out(qsizetype(ZSTD_compressBound(size_t(in.size()))), Qt::Uninitialized);
    const size_t written =
        ZSTD_compress2(c, out.data(), size_t(out.size()), in.constData(), size_t(in.size()));
    ZSTD_freeCCtx(c);
    out.resize(ZSTD_isError(written) ? 0 : qsizetype(written));
    return out;
}

QByteArray zstdDecompress(const QByteArray &in, qsizetype size)
{
    QByteArray out(size, Qt::Uninitialized);
    const size_t written = ZSTD_decompress(out.data(), size_t(size), in.constData(), size_t(in.size()));
    out.resize(ZSTD_isError(written) ? 0 : qsizetype(written));
    return out;
}

// pigz through pipes: the tar goes in on stdin, the output comes back on stdout.
QByteArray pipeThrough(const QString &program, const QStringList &args, const QByteArray &in)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted())
        return {};
    // QProcess keeps what is not yet written and reads while it waits.
    p.write(in);
    p.closeWriteChannel();
    QByteArray out;
    while (!p.waitForFinished(100))
        out += p.readAllStandardOutput();
    out += p.readAllStandardOutput();
    return p.exitCode() == 0 ? out : QByteArray();
}

struct Figures
{
    QString name;
    double compressMs = 0;
    double decompressMs = 0;
    qsizetype size = 0;
    bool gzip = true;
    bool ok = true;
};

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

Figures measure(const Codec &codec, const QByteArray &tar, int rounds)
{
    Figures f{codec.name};
    f.gzip = codec.gzip;
    QList<double> compress;
    QList<double> decompress;
    QByteArray packed;
    for (int round = 0; round < rounds; ++round) {
        QElapsedTimer timer;
        timer.start();
        packed = codec.compress(tar);
        compress.append(double(timer.nsecsElapsed()) / 1e6);
        timer.restart();
        const QByteArray back = codec.decompress(packed, tar.size());
        decompress.append(double(timer.nsecsElapsed()) / 1e6);
        // Only a round trip to the same bytes counts.
        f.ok = f.ok && !packed.isEmpty() && back == tar;
    }
    f.compressMs = median(compress);
    f.decompressMs = median(decompress);
    f.size = packed.size();
    return f;
}

void printTable(const QString &title, qsizetype bytes, const QList<Figures> &rows)
{
    const double mb = double(bytes) / 1e6;
    std::printf("\n%s: %.1f MB tar\n", qPrintable(title), mb);
    std::printf("%-30s %11s %9s %10s %11s %8s\n", "", "compr MB/s", "ratio", "size MB", "decomp MB/s", "");
    for (const Figures &f : rows)
        std::printf("%-30s %11.1f %9.3f %10.2f %11.1f %8s\n", qPrintable(f.name), mb / (f.compressMs / 1000),
                    double(bytes) / double(f.size), double(f.size) / 1e6, mb / (f.decompressMs / 1000),
                    f.ok ? "" : "MISMATCH");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qint64 largeMb = args.size() > 1 ? qMax(1, args[1].toInt()) : 200;
    const int rounds = args.size() > 2 ? qMax(1, args[2].toInt()) : 3;
    QTemporaryDir work;
    if (!work.isValid())
        return 1;

    QList<Codec> codecs{
        {QStringLiteral("zlib -1"), [](const QByteArray &in) { return zlibCompress(in, 1); }, zlibDecompress},
        {QStringLiteral("zlib -6 (store today, Docker)"),
         [](const QByteArray &in) { return zlibCompress(in, 6); }, zlibDecompress},
        {QStringLiteral("libdeflate -1"), [](const QByteArray &in) { return deflateCompress(in, 1, 0); },
         deflateDecompress},
        {QStringLiteral("libdeflate -6"), [](const QByteArray &in) { return deflateCompress(in, 6, 0); },
         deflateDecompress},
        {QStringLiteral("libdeflate -6, 1 MiB members"),
         [](const QByteArray &in) { return deflateCompress(in, 6, 1 << 20); }, deflateDecompress},
        {QStringLiteral("zstd -3"), [](const QByteArray &in) { return zstdCompress(in, 3, 0); },
         zstdDecompress, false},
        {QStringLiteral("zstd -3, 2 threads"), [](const QByteArray &in) { return zstdCompress(in, 3, 2); },
         zstdDecompress, false},
    };
    const QString pigz = QStandardPaths::findExecutable(QStringLiteral("pigz"));
    if (!pigz.isEmpty())
        codecs.insert(5, {QStringLiteral("pigz -p 2 -6 (decomp: pigz -d)"),
                          [pigz](const QByteArray &in) {
                              return pipeThrough(pigz,
                                                 {QStringLiteral("-p"), QStringLiteral("2"),
                                                  QStringLiteral("-6"), QStringLiteral("-c")},
                                                 in);
                          },
                          [pigz](const QByteArray &in, qsizetype) {
                              return pipeThrough(pigz, {QStringLiteral("-d"), QStringLiteral("-c")}, in);
                          }});
    else
        std::printf("pigz is not installed (Debian: apt-get install pigz): its row is left out\n");

    struct Input
    {
        QString title;
        QString root;
        qint64 limit;
    };
    const QList<Input> inputs{
        {QStringLiteral("large layer (/usr, first %1 MB in path order)").arg(largeMb), QStringLiteral("/usr"),
         largeMb * 1000 * 1000},
        {QStringLiteral("small layer (/etc, first 2 MB in path order)"), QStringLiteral("/etc"),
         2 * 1000 * 1000},
    };
    QList<Figures> largeRows;
    for (const Input &input : inputs) {
        const QByteArray tar =
            makeLayerTar(input.root, input.limit, work.filePath(QStringLiteral("layer.tar")));
        if (tar.isEmpty())
            return 1;
        // The small layer is timed over more rounds: one round is a few milliseconds.
        const int inputRounds = tar.size() < 16 * 1000 * 1000 ? rounds * 5 : rounds;
        QList<Figures> rows;
        for (const Codec &codec : std::as_const(codecs))
            rows.append(measure(codec, tar, inputRounds));
        printTable(input.title + QStringLiteral(", median of %1 rounds").arg(inputRounds), tar.size(), rows);
        if (largeRows.isEmpty())
            largeRows = rows;
    }

    // The recommendation, from the large layer's figures: the fastest gzip writer that
    // stays within 1% of zlib -6's size (gzip, because every registry client reads it;
    // zstd is left to images whose consumers are known to read it).
    const Figures &today = largeRows[1];
    const Figures *best = &today;
    for (const Figures &f : std::as_const(largeRows))
        if (f.ok && f.gzip && double(f.size) <= double(today.size) * 1.01 && f.compressMs < best->compressMs)
            best = &f;
    std::printf(
        "\nrecommendation: %s: %.1fx zlib -6's compression speed at %+.2f%% of its size, decompressed "
        "%.1fx as fast; still gzip, so every client reads it\n",
        qPrintable(best->name), today.compressMs / best->compressMs,
        100.0 * (double(best->size) - double(today.size)) / double(today.size),
        today.decompressMs / best->decompressMs);
    std::printf("machine: %d cores; load average at the end: ", QThread::idealThreadCount());
    QFile loadavg(QStringLiteral("/proc/loadavg"));
    if (loadavg.open(QIODevice::ReadOnly))
        std::printf("%s", loadavg.readAll().constData());
    return 0;
}
