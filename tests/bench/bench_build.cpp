// How long Stagecraft, Docker (BuildKit) and buildah take to build the same Dockerfiles
// from the same base image bytes, cold (--no-cache, a fresh Stagecraft store) and fully
// cached (the same build again), through their command lines, and how large the images
// come out. Docker runs as a private engine started here (its own data root, exec root,
// pidfile and socket in a temporary directory, no iptables, no bridge), stopped and
// removed when the bench ends. Both builders run RUN on the host's network so that
// neither pays for a network namespace the other lacks; the cost of Stagecraft's own
// user-mode network is printed apart.
// Cases: a) tests/data/seeds/busybox (two stages, every kind of file change);
//        b) one RUN writing 400 MB and 20,000 files, then a one-line RUN;
//        c) the seeds' Go builds on debootstrap's bookworm (STAGECRAFT_SEED_STORE, network).
// Usage: bench_build [rounds] [cases, e.g. ab]. Prints figures; never fails on time.
// Docker needs root and Debian's docker.io (dockerd and its 20.10 client, which builds
// with BuildKit without the buildx plugin); BENCH_DOCKER names another client.
#include "busyboxlayout.h"
#include "privatedockerengine.h"

#include "core/oci/dockerarchive.h"
#include "core/oci/layerreader.h"
#include "core/oci/layerwriter.h"
#include "core/oci/mediatype.h"
#include "core/oci/ocilayout.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QMap>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <numeric>
#include <optional>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

using namespace stagecraft;

namespace {

// Set by SIGINT/SIGTERM/SIGHUP: the running command is killed and the bench returns
// through its destructors, which stop the private Docker engine and remove its data.
volatile std::sig_atomic_t g_interrupted = 0;

void onSignal(int)
{
    g_interrupted = 1;
}

struct Command
{
    QString program;
    QStringList args;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
};

// Runs a command to its end; its duration in ms, or a negative number after printing
// why it failed (or when interrupted).
double timed(const Command &command, int timeoutMs = 1800000)
{
    if (g_interrupted)
        return -1;
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setProcessEnvironment(command.env);
    QElapsedTimer timer;
    timer.start();
    p.start(command.program, command.args);
    if (!p.waitForStarted()) {
        std::fprintf(stderr, "%s cannot start\n", qPrintable(command.program));
        return -1;
    }
    // Output is read as it comes so that a chatty build never blocks on a full pipe;
    // short waits let a signal end the command.
    QByteArray output;
    while (!p.waitForFinished(100)) {
        output += p.readAll();
        if (g_interrupted || timer.elapsed() > timeoutMs) {
            p.kill();
            p.waitForFinished();
            std::fprintf(stderr, "%s %s: %s\n", qPrintable(command.program),
                         qPrintable(command.args.join(u' ')), g_interrupted ? "interrupted" : "timed out");
            return -1;
        }
    }
    const double ms = double(timer.nsecsElapsed()) / 1e6;
    output += p.readAll();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        std::fprintf(stderr, "%s %s failed:\n%s\n", qPrintable(command.program),
                     qPrintable(command.args.join(u' ')), output.right(4000).constData());
        return -1;
    }
    return ms;
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? -1 : values[values.size() / 2];
}

// The private engine's client run as a timed command.
Command dockerCommand(const test::PrivateDockerEngine &docker, const QStringList &args)
{
    return {docker.client(), docker.hostArgs() + args, docker.environment()};
}

// BENCH_DOCKER names another client than the private engine's default one.
QString dockerClient()
{
    const QString chosen = qEnvironmentVariable("BENCH_DOCKER");
    return chosen.isEmpty() ? test::PrivateDockerEngine::defaultClient() : chosen;
}

// The first host of this machine's Debian mirror answers on port 80 within 3 s: the Go
// builds' apt-get needs it.
bool mirrorReachable(QString *host)
{
    QString hostName = QStringLiteral("deb.debian.org");
    QDirIterator sources(QStringLiteral("/etc/apt/sources.list.d"), {QStringLiteral("*.sources")});
    bool found = false;
    while (!found && sources.hasNext()) {
        QFile f(sources.next());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : f.readAll().split('\n'))
            if (line.startsWith("URIs:")) {
                const QUrl url(QString::fromUtf8(line.mid(5).trimmed().split(' ').first()));
                if (!url.host().isEmpty()) {
                    hostName = url.host();
                    found = true;
                    break;
                }
            }
    }
    *host = hostName;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *addresses = nullptr;
    if (::getaddrinfo(hostName.toUtf8().constData(), "80", &hints, &addresses) != 0)
        return false;
    bool ok = false;
    for (addrinfo *a = addresses; a && !ok; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0)
            continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            ok = true;
        } else if (errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            int error = 0;
            socklen_t length = sizeof error;
            ok = ::poll(&p, 1, 3000) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 &&
                 error == 0;
        }
        ::close(fd);
    }
    ::freeaddrinfo(addresses);
    return ok;
}

// Sizes of an image's layers: the blobs as a registry would store them (compressed) and
// the tars they hold, with their diff IDs, bottom first.
struct ImageSizes
{
    QList<qint64> compressed;
    QList<qint64> uncompressed;
    QList<QString> diffIds;
    // Per layer: each entry's path and what tells two tars' entries apart (mtime left
    // out: builders stamp their own time).
    QList<QMap<QString, QString>> entries;
    QString compressedHow;
    qint64 compressedTotal() const
    {
        return std::accumulate(compressed.begin(), compressed.end(), qint64(0));
    }
    qint64 uncompressedTotal() const
    {
        return std::accumulate(uncompressed.begin(), uncompressed.end(), qint64(0));
    }
};

// Reads `device` to its end through zlib: inflating a gzip stream when `inflate`, else
// deflating at level 6 as gzip; returns the output's length, or -1.
qint64 zlibLength(QIODevice *device, bool inflate)
{
    z_stream z{};
    if ((inflate ? inflateInit2(&z, 15 + 32)
                 : deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)) != Z_OK)
        return -1;
    QByteArray in(1 << 20, Qt::Uninitialized);
    QByteArray out(1 << 20, Qt::Uninitialized);
    qint64 total = 0;
    int r = Z_OK;
    bool end = false;
    while (r != Z_STREAM_END) {
        if (z.avail_in == 0 && !end) {
            const qint64 n = device->read(in.data(), in.size());
            if (n < 0)
                break;
            end = n == 0;
            z.next_in = reinterpret_cast<Bytef *>(in.data());
            z.avail_in = uInt(n);
        }
        z.next_out = reinterpret_cast<Bytef *>(out.data());
        z.avail_out = uInt(out.size());
        r = inflate ? ::inflate(&z, Z_NO_FLUSH) : ::deflate(&z, end ? Z_FINISH : Z_NO_FLUSH);
        total += out.size() - z.avail_out;
        if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
            break;
        // A gzip file may be several members one after another (Stagecraft's blobs are, one
        // per MiB): a member's end is the stream's only when no input follows it.
        if (inflate && r == Z_STREAM_END) {
            if (z.avail_in == 0 && !end) {
                const qint64 n = device->read(in.data(), in.size());
                end = n <= 0;
                z.next_in = reinterpret_cast<Bytef *>(in.data());
                z.avail_in = uInt(qMax<qint64>(n, 0));
            }
            if (z.avail_in > 0) {
                if (inflateReset(&z) != Z_OK)
                    break;
                r = Z_OK;
            }
        }
        if (inflate && end && z.avail_in == 0 && r != Z_STREAM_END && z.avail_out != 0)
            break;
    }
    inflate ? inflateEnd(&z) : deflateEnd(&z);
    return r == Z_STREAM_END ? total : -1;
}

std::optional<ImageSizes> sizesOf(const Image &image, bool compressedBlobs)
{
    ImageSizes sizes;
    sizes.compressedHow =
        compressedBlobs ? QStringLiteral("its blobs") : QStringLiteral("gzip -6 of its tars");
    for (int i = 0; i < image.layers.size(); ++i) {
        auto device = image.openLayer(i);
        if (!device)
            return std::nullopt;
        const qint64 other = zlibLength(device->get(), compressedBlobs);
        if (other < 0)
            return std::nullopt;
        const qint64 blob = image.layers[i].descriptor.size;
        sizes.compressed.append(compressedBlobs ? blob : other);
        sizes.uncompressed.append(compressedBlobs ? other : blob);
        sizes.diffIds.append(image.layers[i].diffId.toString());
        auto again = image.openLayer(i);
        if (!again)
            return std::nullopt;
        LayerReader reader(again->get());
        QMap<QString, QString> entries;
        for (;;) {
            auto entry = reader.next();
            if (!entry || !*entry)
                break;
            const LayerEntry &e = **entry;
            entries.insert(
                e.path, QStringLiteral("type %1 size %2 mode %3 owner %4:%5%6")
                            .arg(int(e.type))
                            .arg(e.size)
                            .arg(e.mode, 0, 8)
                            .arg(e.uid)
                            .arg(e.gid)
                            .arg(e.linkTarget.isEmpty() ? QString() : QStringLiteral(" -> ") + e.linkTarget));
        }
        sizes.entries.append(entries);
    }
    return sizes;
}

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / 1e6, 'f', 2) + QStringLiteral(" MB");
}

QString comparison(qint64 ours, qint64 theirs)
{
    if (ours == theirs)
        return QStringLiteral("equal to the byte");
    return QStringLiteral("stagecraft %1 by %2 bytes (%3%)")
        .arg(ours > theirs ? QStringLiteral("larger") : QStringLiteral("smaller"))
        .arg(qAbs(ours - theirs))
        .arg(100.0 * double(ours - theirs) / double(theirs), 0, 'f', 3);
}

// The entries one layer tar has and the other lacks or describes otherwise, a few of each.
void printEntryDifferences(const QMap<QString, QString> &ours, const QMap<QString, QString> &theirs)
{
    QStringList onlyOurs, onlyTheirs, differ;
    for (auto it = ours.begin(); it != ours.end(); ++it) {
        if (!theirs.contains(it.key()))
            onlyOurs.append(it.key());
        else if (theirs.value(it.key()) != it.value())
            differ.append(QStringLiteral("%1 (stagecraft %2; docker %3)")
                              .arg(it.key(), it.value(), theirs.value(it.key())));
    }
    for (auto it = theirs.begin(); it != theirs.end(); ++it)
        if (!ours.contains(it.key()))
            onlyTheirs.append(it.key());
    auto print = [](const char *what, const QStringList &list) {
        if (list.isEmpty())
            return;
        std::printf("      %s: %lld: %s%s\n", what, qlonglong(list.size()),
                    qPrintable(list.mid(0, 6).join(QStringLiteral(", "))), list.size() > 6 ? ", ..." : "");
    };
    print("entries only stagecraft's tar has", onlyOurs);
    print("entries only docker's tar has", onlyTheirs);
    print("entries described differently", differ);
    if (onlyOurs.isEmpty() && onlyTheirs.isEmpty() && differ.isEmpty())
        std::printf("      same entries (paths, types, sizes, modes, owners, links): the difference is in "
                    "how the tar is written\n");
}

void printSizes(const ImageSizes &ours, const ImageSizes &theirs)
{
    std::printf("  image sizes: %lld layers (stagecraft), %lld (docker)\n", qlonglong(ours.compressed.size()),
                qlonglong(theirs.compressed.size()));
    std::printf("    compressed:   stagecraft %s (%s), docker %s (%s): %s\n",
                qPrintable(megabytes(ours.compressedTotal())), qPrintable(ours.compressedHow),
                qPrintable(megabytes(theirs.compressedTotal())), qPrintable(theirs.compressedHow),
                qPrintable(comparison(ours.compressedTotal(), theirs.compressedTotal())));
    std::printf("    uncompressed: stagecraft %s, docker %s: %s\n",
                qPrintable(megabytes(ours.uncompressedTotal())),
                qPrintable(megabytes(theirs.uncompressedTotal())),
                qPrintable(comparison(ours.uncompressedTotal(), theirs.uncompressedTotal())));
    if (ours.uncompressed.size() == theirs.uncompressed.size()) {
        int sameDiffIds = 0;
        for (int i = 0; i < ours.uncompressed.size(); ++i) {
            sameDiffIds += ours.diffIds[i] == theirs.diffIds[i];
            if (ours.uncompressed[i] != theirs.uncompressed[i]) {
                std::printf("    layer %d tar: stagecraft %lld, docker %lld bytes\n", i + 1,
                            qlonglong(ours.uncompressed[i]), qlonglong(theirs.uncompressed[i]));
                printEntryDifferences(ours.entries[i], theirs.entries[i]);
            }
        }
        std::printf("    identical layer tars (same diff ID): %d of %lld\n", sameDiffIds,
                    qlonglong(ours.uncompressed.size()));
    } else {
        auto list = [](const ImageSizes &s) {
            QStringList parts;
            for (qint64 n : s.uncompressed)
                parts.append(QString::number(n));
            return parts.join(u' ');
        };
        std::printf("    layer tars: stagecraft [%s], docker [%s]\n", qPrintable(list(ours)),
                    qPrintable(list(theirs)));
    }
}

struct BenchCase
{
    QString label;
    QString context;
    QString dockerfile;
    QString baseLayout; // OCI layout holding `baseRef`, imported into every fresh store
    QString baseRef;
    int rounds = 3;
    bool withBuildah = false;
    bool measureNetwork = false;
};

struct CaseTimes
{
    QList<double> ourCold, ourCached, dockerCold, dockerCached, buildahCold, buildahCached, privateCold;
    std::optional<ImageSizes> ourSizes, dockerSizes;
};

class Bench
{
public:
    Bench(QString stagecraft, QString work, test::PrivateDockerEngine *docker, QString buildah)
        : m_stagecraft(std::move(stagecraft))
        , m_work(std::move(work))
        , m_docker(docker)
        , m_buildah(std::move(buildah))
    {}

    std::optional<CaseTimes> run(const BenchCase &c)
    {
        CaseTimes times;
        const QString tag = QStringLiteral("bench-%1:latest").arg(c.label.toLower());
        if (m_docker && !loadDockerBase(c))
            return std::nullopt;
        for (int round = 0; round < c.rounds; ++round) {
            // Stagecraft: a new store with only the base in it, a build without cache,
            // then the same build again.
            const QString store = m_work + QStringLiteral("/store-%1-%2").arg(c.label).arg(round);
            if (!importBase(store, c))
                return std::nullopt;
            const QStringList build{QStringLiteral("build"),
                                    QStringLiteral("--store"),
                                    store,
                                    QStringLiteral("-f"),
                                    c.dockerfile,
                                    QStringLiteral("-t"),
                                    tag,
                                    QStringLiteral("--network"),
                                    QStringLiteral("host")};
            const double cold =
                timed({m_stagecraft, build + QStringList{QStringLiteral("--no-cache"), c.context}});
            const double cached = timed({m_stagecraft, build + QStringList{c.context}});
            if (cold < 0 || cached < 0)
                return std::nullopt;
            times.ourCold.append(cold);
            times.ourCached.append(cached);
            if (round == 0)
                times.ourSizes = stagecraftSizes(store, tag);
            QDir(store).removeRecursively();
            if (c.measureNetwork) {
                // The same cold build, from a fresh store too, with Stagecraft's own
                // network (slirp4netns) for RUN: the unchanged Dockerfile.
                if (!importBase(store, c))
                    return std::nullopt;
                const double privateCold = timed(
                    {m_stagecraft,
                     {QStringLiteral("build"), QStringLiteral("--store"), store, QStringLiteral("-f"),
                      c.dockerfile, QStringLiteral("-t"), tag, QStringLiteral("--no-cache"), c.context}});
                QDir(store).removeRecursively();
                if (privateCold < 0)
                    return std::nullopt;
                times.privateCold.append(privateCold);
            }

            double dockerCold = -1, dockerCached = -1;
            if (m_docker) {
                const QStringList dockerBuild{QStringLiteral("build"),
                                              QStringLiteral("--network=host"),
                                              QStringLiteral("-q"),
                                              QStringLiteral("-f"),
                                              c.dockerfile,
                                              QStringLiteral("-t"),
                                              tag};
                dockerCold = timed(dockerCommand(
                    *m_docker, dockerBuild + QStringList{QStringLiteral("--no-cache"), c.context}));
                dockerCached = timed(dockerCommand(*m_docker, dockerBuild + QStringList{c.context}));
                if (dockerCold < 0 || dockerCached < 0)
                    return std::nullopt;
                times.dockerCold.append(dockerCold);
                times.dockerCached.append(dockerCached);
                if (round == 0)
                    times.dockerSizes = dockerSizes(tag);
            }

            double buildahCold = -1, buildahCached = -1;
            if (c.withBuildah && !m_buildah.isEmpty()) {
                if (!buildahRound(c, round, &buildahCold, &buildahCached))
                    return std::nullopt;
                times.buildahCold.append(buildahCold);
                times.buildahCached.append(buildahCached);
            }
            std::printf("  %s round %d: stagecraft %.0f / %.0f ms", qPrintable(c.label), round + 1, cold,
                        cached);
            if (dockerCold >= 0)
                std::printf(", docker %.0f / %.0f ms", dockerCold, dockerCached);
            if (buildahCold >= 0)
                std::printf(", buildah %.0f / %.0f ms", buildahCold, buildahCached);
            if (!times.privateCold.isEmpty())
                std::printf(", stagecraft private network cold %.0f ms", times.privateCold.last());
            std::printf(" (cold / cached)\n");
            std::fflush(stdout);
        }
        if (m_docker) {
            // The engine keeps only what later cases need: their own images and cache.
            timed(dockerCommand(*m_docker, {QStringLiteral("rmi"), QStringLiteral("-f"), tag}));
            timed(dockerCommand(*m_docker,
                                {QStringLiteral("builder"), QStringLiteral("prune"), QStringLiteral("-af")}));
        }
        return times;
    }

private:
    bool importBase(const QString &store, const BenchCase &c)
    {
        return timed({m_stagecraft,
                      {QStringLiteral("import"), QStringLiteral("--store"), store, QStringLiteral("-t"),
                       c.baseRef, c.baseLayout}}) >= 0;
    }

    // The base goes into Docker as the same bytes Stagecraft builds on: exported from a
    // Stagecraft store as a docker-archive and `docker load`ed.
    bool loadDockerBase(const BenchCase &c)
    {
        if (m_dockerBases.contains(c.baseRef))
            return true;
        const QString store = m_work + QStringLiteral("/store-export");
        const QString archive = m_work + QStringLiteral("/base-export.tar");
        const bool ok =
            importBase(store, c) &&
            timed({m_stagecraft,
                   {QStringLiteral("export"), QStringLiteral("--store"), store, QStringLiteral("--format"),
                    QStringLiteral("docker"), QStringLiteral("-o"), archive, c.baseRef}}) >= 0 &&
            timed(dockerCommand(*m_docker, {QStringLiteral("load"), QStringLiteral("-q"),
                                            QStringLiteral("-i"), archive})) >= 0 &&
            timed(dockerCommand(*m_docker,
                                {QStringLiteral("image"), QStringLiteral("inspect"), c.baseRef})) >= 0;
        QDir(store).removeRecursively();
        QFile::remove(archive);
        if (!ok)
            return false;
        m_dockerBases.insert(c.baseRef);
        // One build, not timed, so that the engine's first-build start-up (BuildKit's
        // state, the snapshotter) is not charged to the first case: a Docker user's
        // engine is warm.
        const QString warmUp = m_work + QStringLiteral("/warm-up");
        QDir().mkpath(warmUp);
        QFile dockerfile(warmUp + QStringLiteral("/Dockerfile"));
        if (!dockerfile.open(QIODevice::WriteOnly))
            return false;
        dockerfile.write("FROM " + c.baseRef.toUtf8() + "\nRUN true\n");
        dockerfile.close();
        const double ms =
            timed(dockerCommand(*m_docker, {QStringLiteral("build"), QStringLiteral("--network=host"),
                                            QStringLiteral("-q"), QStringLiteral("--no-cache"), warmUp}));
        std::printf("  docker: %s loaded; a first build to warm the engine took %.0f ms (not counted)\n",
                    qPrintable(c.baseRef), ms);
        return ms >= 0;
    }

    std::optional<ImageSizes> stagecraftSizes(const QString &store, const QString &tag)
    {
        const QString dir = m_work + QStringLiteral("/sizes-oci");
        QDir(dir).removeRecursively();
        std::optional<ImageSizes> sizes;
        if (timed({m_stagecraft,
                   {QStringLiteral("export"), QStringLiteral("--store"), store, QStringLiteral("--format"),
                    QStringLiteral("oci"), QStringLiteral("-o"), dir, tag}}) >= 0) {
            auto layout = OciLayout::open(dir);
            auto image = layout ? layout->image() : Expected<Image>(std::unexpected(layout.error()));
            if (image)
                sizes = sizesOf(*image, true);
            else
                std::fprintf(stderr, "cannot read stagecraft's export: %s\n",
                             qPrintable(image.error().message));
        }
        QDir(dir).removeRecursively();
        return sizes;
    }

    // Docker keeps its layers uncompressed (it compresses when it pushes): `docker save`
    // gives the tars, gzip -6 here stands for what a push would send.
    std::optional<ImageSizes> dockerSizes(const QString &tag)
    {
        const QString archive = m_work + QStringLiteral("/docker-save.tar");
        std::optional<ImageSizes> sizes;
        if (timed(dockerCommand(*m_docker, {QStringLiteral("save"), QStringLiteral("-o"), archive, tag})) >=
            0) {
            auto saved = DockerArchive::open(archive);
            auto image = saved ? saved->image() : Expected<Image>(std::unexpected(saved.error()));
            if (image)
                sizes = sizesOf(*image, false);
            else
                std::fprintf(stderr, "cannot read docker's save: %s\n", qPrintable(image.error().message));
        }
        QFile::remove(archive);
        return sizes;
    }

    bool buildahRound(const BenchCase &c, int round, double *cold, double *cached)
    {
        const QStringList storage{QStringLiteral("--root"),
                                  m_work + QStringLiteral("/buildah-%1-%2").arg(c.label).arg(round),
                                  QStringLiteral("--runroot"),
                                  m_work + QStringLiteral("/buildah-run-%1-%2").arg(c.label).arg(round),
                                  QStringLiteral("--storage-driver"),
                                  QStringLiteral("vfs")};
        // buildah names what it pulls after the layout's path, which must be lower case:
        // a relative path from the layout's parent keeps the layout's own name.
        QProcess pull;
        pull.setWorkingDirectory(QFileInfo(c.baseLayout).absolutePath());
        pull.start(m_buildah, storage + QStringList{QStringLiteral("pull"), QStringLiteral("-q"),
                                                    QStringLiteral("oci:%1:%2")
                                                        .arg(QFileInfo(c.baseLayout).fileName(),
                                                             c.baseRef.section(u':', 1))});
        pull.waitForFinished(120000);
        const QString baseId = QString::fromUtf8(pull.readAllStandardOutput().trimmed()).split(u'\n').last();
        if (pull.exitCode() != 0 ||
            timed({m_buildah, storage + QStringList{QStringLiteral("tag"), baseId, c.baseRef}}) < 0) {
            std::fprintf(stderr, "buildah could not take the base: %s\n",
                         pull.readAllStandardError().constData());
            return false;
        }
        const QStringList build =
            storage + QStringList{QStringLiteral("build"),       QStringLiteral("--layers"),
                                  QStringLiteral("--isolation"), QStringLiteral("chroot"),
                                  QStringLiteral("--network"),   QStringLiteral("host"),
                                  QStringLiteral("-f"),          c.dockerfile,
                                  QStringLiteral("-t"),          QStringLiteral("bench:latest")};
        *cold = timed({m_buildah, build + QStringList{QStringLiteral("--no-cache"), c.context}});
        *cached = timed({m_buildah, build + QStringList{c.context}});
        timed({m_buildah,
               storage + QStringList{QStringLiteral("rmi"), QStringLiteral("-a"), QStringLiteral("-f")}});
        return *cold >= 0 && *cached >= 0;
    }

    QString m_stagecraft;
    QString m_work;
    test::PrivateDockerEngine *m_docker;
    QString m_buildah;
    QSet<QString> m_dockerBases;
};

// Case b's context: one RUN writing 400 MB (half random, half text) and 20,000 small
// files, then a one-line RUN on top.
QString writeLargeRunContext(const QString &dir)
{
    QDir().mkpath(dir);
    QFile f(dir + QStringLiteral("/Dockerfile"));
    if (!f.open(QIODevice::WriteOnly))
        return {};
    // The RUN's own work is kept cheap (no shell arithmetic over 400 MB) so that the
    // builders' handling of its output is what the times show: 200 MB of random bytes
    // (incompressible) and 200 MB of copies of busybox (binary code, like a real layer).
    f.write("FROM busybox:fixture\n"
            "RUN mkdir -p /data/files"
            " && head -c 200000000 /dev/urandom > /data/random"
            " && i=0 && while [ $i -lt 150 ]; do cat /bin/busybox; i=$((i+1)); done | head -c 200000000 > "
            "/data/binaries"
            " && i=0 && while [ $i -lt 200 ]; do mkdir /data/files/$i; j=0;"
            " while [ $j -lt 100 ]; do echo \"file $i $j\" > /data/files/$i/$j; j=$((j+1)); done;"
            " i=$((i+1)); done\n"
            "RUN echo done > /d\n");
    return dir;
}

void printCase(const BenchCase &c, const CaseTimes &t)
{
    auto cell = [](double ms) { return ms < 0 ? QStringLiteral("-") : QString::number(ms, 'f', 0); };
    auto ratio = [](double ours, double theirs) {
        return ours < 0 || theirs <= 0 ? QStringLiteral("-") : QString::number(ours / theirs, 'f', 2) + u'x';
    };
    const double oc = median(t.ourCold), ok = median(t.ourCached);
    const double dc = median(t.dockerCold), dk = median(t.dockerCached);
    const double bc = median(t.buildahCold), bk = median(t.buildahCached);
    std::printf("\n%s (%s), median of %d rounds, ms\n", qPrintable(c.label),
                qPrintable(QDir(c.context).dirName()), c.rounds);
    std::printf("%-8s %11s %11s %11s %11s %11s %11s\n", "", "stagecraft", "docker", "sc/docker", "buildah",
                "sc/buildah", "");
    std::printf("%-8s %11s %11s %11s %11s %11s\n", "cold", qPrintable(cell(oc)), qPrintable(cell(dc)),
                qPrintable(ratio(oc, dc)), qPrintable(cell(bc)), qPrintable(ratio(oc, bc)));
    std::printf("%-8s %11s %11s %11s %11s %11s\n", "cached", qPrintable(cell(ok)), qPrintable(cell(dk)),
                qPrintable(ratio(ok, dk)), qPrintable(cell(bk)), qPrintable(ratio(ok, bk)));
    if (!t.privateCold.isEmpty()) {
        const double pc = median(t.privateCold);
        std::printf(
            "network: stagecraft cold with its own network (slirp4netns) %.0f ms against %.0f ms on the "
            "host's: +%.0f ms\n",
            pc, oc, pc - oc);
    }
    if (t.ourSizes && t.dockerSizes)
        printSizes(*t.ourSizes, *t.dockerSizes);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    struct sigaction action
    {
    };
    action.sa_handler = onSignal;
    for (int s : {SIGINT, SIGTERM, SIGHUP})
        ::sigaction(s, &action, nullptr);

    const QStringList args = app.arguments();
    const int rounds = args.size() > 1 ? qMax(1, args[1].toInt()) : 3;
    const QString cases = args.size() > 2 ? args[2] : QStringLiteral("abc");
    const QString stagecraft = QStringLiteral(STAGECRAFT_BIN);
    const QString source = QStringLiteral(STAGECRAFT_SOURCE_PATH);

    QTemporaryDir work(QDir::tempPath() + QStringLiteral("/bench_build-XXXXXX"));
    if (!work.isValid())
        return 1;
    const QString busyboxLayout = work.filePath(QStringLiteral("busybox"));
    if (const QString error = test::makeBusyboxLayout(busyboxLayout, QStringLiteral("fixture"));
        !error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }

    // The private engine, when there is a dockerd to start and root to start it.
    std::optional<test::PrivateDockerEngine> docker;
    const QString dockerd = QStandardPaths::findExecutable(
        QStringLiteral("dockerd"),
        {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin"), QStringLiteral("/usr/local/bin")});
    if (dockerd.isEmpty())
        std::printf("docker: no dockerd (Debian: apt-get install docker.io); its column stays empty\n");
    else if (::geteuid() != 0)
        std::printf("docker: dockerd needs root; its column stays empty\n");
    else {
        docker.emplace(dockerd, dockerClient(), work.filePath(QStringLiteral("docker")),
                       [] { return g_interrupted != 0; });
        if (!docker->isRunning()) {
            std::printf("docker: %s\n", qPrintable(docker->error()));
            docker.reset();
        } else {
            std::printf("docker: private engine %s at %s\n", qPrintable(docker->version()),
                        qPrintable(work.filePath(QStringLiteral("docker"))));
        }
    }
    const QString buildah = QStandardPaths::findExecutable(QStringLiteral("buildah"));
    if (buildah.isEmpty())
        std::printf("buildah: not installed; its column stays empty\n");

    Bench bench(stagecraft, work.path(), docker ? &*docker : nullptr, buildah);
    auto runCase = [&](const BenchCase &c) {
        std::printf("\n== %s: %s\n", qPrintable(c.label), qPrintable(c.dockerfile));
        std::fflush(stdout);
        auto times = bench.run(c);
        if (times)
            printCase(c, *times);
        else
            std::printf("%s: failed (see above)\n", qPrintable(c.label));
        return times.has_value();
    };

    bool ok = true;
    if (cases.contains(u'a')) {
        const QString context = source + QStringLiteral("/tests/data/seeds/busybox");
        ok &= runCase({QStringLiteral("a-busybox"), context, context + QStringLiteral("/Dockerfile"),
                       busyboxLayout, QStringLiteral("busybox:fixture"), rounds, true, true});
    }
    if (cases.contains(u'b') && !g_interrupted) {
        const QString context = writeLargeRunContext(work.filePath(QStringLiteral("large-run")));
        ok &= runCase({QStringLiteral("b-400MB-20000files"), context, context + QStringLiteral("/Dockerfile"),
                       busyboxLayout, QStringLiteral("busybox:fixture"), rounds, false, false});
    }
    if (cases.contains(u'c') && !g_interrupted) {
        const QString seedStore = qEnvironmentVariable("STAGECRAFT_SEED_STORE");
        QString mirror;
        const QString debianLayout = work.filePath(QStringLiteral("debian"));
        if (seedStore.isEmpty() || !QFileInfo(seedStore).isDir()) {
            std::printf(
                "\n== c: skipped: STAGECRAFT_SEED_STORE is unset or no directory (scripts/make-base-image "
                "--store DIR makes it)\n");
        } else if (!mirrorReachable(&mirror)) {
            std::printf(
                "\n== c: skipped: the Debian mirror %s is unreachable (apt-get in the Go builds needs it)\n",
                qPrintable(mirror));
        } else if (timed({stagecraft,
                          {QStringLiteral("export"), QStringLiteral("--store"), seedStore,
                           QStringLiteral("--format"), QStringLiteral("oci"), QStringLiteral("-o"),
                           debianLayout, QStringLiteral("debian:bookworm")}}) < 0) {
            std::printf("\n== c: skipped: the seed store %s has no debian:bookworm\n", qPrintable(seedStore));
        } else {
            const QString context = source + QStringLiteral("/tests/data/seeds/go-app");
            const int goRounds = qEnvironmentVariableIntValue("BENCH_GO_ROUNDS") > 0
                                     ? qEnvironmentVariableIntValue("BENCH_GO_ROUNDS")
                                     : 1;
            ok &= runCase({QStringLiteral("c-go-single"), context, context + QStringLiteral("/Dockerfile"),
                           debianLayout, QStringLiteral("debian:bookworm"), goRounds, false, false});
            if (!g_interrupted)
                ok &= runCase({QStringLiteral("c-go-multi"), context,
                               context + QStringLiteral("/Dockerfile.multi"), debianLayout,
                               QStringLiteral("debian:bookworm"), goRounds, false, false});
        }
    }
    std::printf("\nmachine: %d cores; load average at the end: ", QThread::idealThreadCount());
    QFile loadavg(QStringLiteral("/proc/loadavg"));
    if (loadavg.open(QIODevice::ReadOnly))
        std::printf("%s", loadavg.readAll().constData());
    return ok && !g_interrupted ? 0 : 1;
}
