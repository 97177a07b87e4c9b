// How long Stagecraft and buildah take to build the same multi-stage Dockerfile on the
// busybox fixture base (tests/data/seeds/busybox), cold (empty cache) and fully cached,
// both through their command lines. Targets: Stagecraft at most 0.8x buildah's time
// cold, and cached rebuilds at least 10x faster than buildah's.
// Usage: bench_build [rounds] [context-dir]. Prints figures; never fails on time.
#include "busyboxrootfs.h"

#include "core/oci/layerwriter.h"
#include "core/oci/mediatype.h"
#include "core/oci/ocilayout.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTemporaryFile>

#include <algorithm>
#include <cstdio>

using namespace stagecraft;

namespace {

// The busybox fixture as a one-layer image named `refName` in a new OCI layout at `dir`
// (the same base tst_buildahcompare uses). Returns an error message, empty on success.
QString makeFixtureLayout(const QString &dir, const QString &refName)
{
    QTemporaryDir rootfs;
    if (!rootfs.isValid() || !test::makeBusyboxRootfs(rootfs.path()))
        return QStringLiteral("cannot make the busybox root filesystem (is busybox-static installed?)");
    // The layer's root entry takes the directory's mode: a temporary directory's 0700
    // would lock every user but root out of the image.
    QFile::setPermissions(rootfs.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                             QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther |
                                             QFile::ExeOther);
    QTemporaryFile blob;
    if (!blob.open())
        return QStringLiteral("cannot create a temporary file");
    LayerWriteOptions options;
    options.uid = 0;
    options.gid = 0;
    options.fixedMtime = 1700000000;
    auto written = LayerWriter::writeDirectory(rootfs.path(), &blob, options);
    if (!written)
        return written.error().message;
    auto layout = OciLayout::create(dir);
    if (!layout)
        return layout.error().message;
    blob.seek(0);
    if (auto stored = layout->writeBlob(written->digest, written->size, &blob); !stored)
        return stored.error().message;
    ImageConfig config;
    config.architecture = Platform::host().architecture;
    config.os = Platform::host().os;
    config.config.env = {QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")};
    config.config.cmd = {QStringLiteral("sh")};
    config.diffIds = {written->diffId};
    // buildah wants a history entry for every layer.
    HistoryEntry history;
    history.createdBy = QStringLiteral("busybox fixture");
    config.history = {history};
    ImageManifest manifest;
    manifest.mediaType = mediatype::OciManifest;
    manifest.layers = {written->descriptor()};
    auto configDescriptor = layout->writeBlob(config.toJson(), mediatype::OciConfig);
    if (!configDescriptor)
        return configDescriptor.error().message;
    manifest.config = *configDescriptor;
    auto manifestDescriptor = layout->writeBlob(manifest.toJson(), mediatype::OciManifest);
    if (!manifestDescriptor)
        return manifestDescriptor.error().message;
    auto image = Image::load(layout->blobs(), *manifestDescriptor);
    if (!image)
        return image.error().message;
    if (auto added = layout->addImage(*image, refName); !added)
        return added.error().message;
    return {};
}

// Runs a command to its end; its duration in ms, or a negative number after printing
// why it failed.
double timed(const QString &program, const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    QElapsedTimer timer;
    timer.start();
    p.start(program, args);
    if (!p.waitForStarted() || !p.waitForFinished(600000) || p.exitStatus() != QProcess::NormalExit ||
        p.exitCode() != 0) {
        std::fprintf(stderr, "%s %s failed:\n%s\n", qPrintable(program), qPrintable(args.join(u' ')),
                     p.readAll().constData());
        return -1;
    }
    return double(timer.nsecsElapsed()) / 1e6;
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values[values.size() / 2];
}

struct Times
{
    QList<double> cold;
    QList<double> cached;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int rounds = args.size() > 1 ? qMax(1, args[1].toInt()) : 3;
    const QString context =
        args.size() > 2 ? args[2] : QStringLiteral(STAGECRAFT_SOURCE_PATH "/tests/data/seeds/busybox");
    const QString stagecraft = QStringLiteral(STAGECRAFT_BIN);
    const QString buildah = QStandardPaths::findExecutable(QStringLiteral("buildah"));
    if (buildah.isEmpty()) {
        std::fprintf(stderr, "buildah is not installed (Debian: apt-get install buildah)\n");
        return 1;
    }
    QTemporaryDir dir;
    const QString layout = dir.filePath(QStringLiteral("base"));
    if (const QString error = makeFixtureLayout(layout, QStringLiteral("fixture")); !error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }

    Times ours;
    Times theirs;
    for (int round = 0; round < rounds; ++round) {
        // Stagecraft: a new store with only the base in it, then the same build again.
        const QString store = dir.filePath(QStringLiteral("store%1").arg(round));
        if (timed(stagecraft, {QStringLiteral("import"), QStringLiteral("--store"), store,
                               QStringLiteral("-t"), QStringLiteral("busybox:fixture"), layout}) < 0)
            return 1;
        const QStringList build{QStringLiteral("build"), QStringLiteral("--store"),      store,
                                QStringLiteral("-t"),    QStringLiteral("bench:latest"), context};
        const double cold = timed(stagecraft, build);
        const double cached = timed(stagecraft, build);
        if (cold < 0 || cached < 0)
            return 1;
        ours.cold.append(cold);
        ours.cached.append(cached);

        // buildah: new storage with only the base in it, then the same build again.
        const QStringList storage{
            QStringLiteral("--root"),           dir.filePath(QStringLiteral("buildah%1").arg(round)),
            QStringLiteral("--runroot"),        dir.filePath(QStringLiteral("buildah-run%1").arg(round)),
            QStringLiteral("--storage-driver"), QStringLiteral("vfs")};
        // buildah names what it pulls after the layout's path, which must be lower case:
        // a relative path from the temporary directory keeps the name `base`.
        QProcess pull;
        pull.setWorkingDirectory(dir.path());
        pull.start(buildah, storage + QStringList{QStringLiteral("pull"), QStringLiteral("-q"),
                                                  QStringLiteral("oci:base:fixture")});
        pull.waitForFinished(120000);
        const QString baseId = QString::fromUtf8(pull.readAllStandardOutput().trimmed()).split(u'\n').last();
        if (pull.exitCode() != 0 ||
            timed(buildah, storage + QStringList{QStringLiteral("tag"), baseId,
                                                 QStringLiteral("busybox:fixture")}) < 0) {
            std::fprintf(stderr, "buildah could not take the base: %s\n",
                         pull.readAllStandardError().constData());
            return 1;
        }
        const QStringList buildahBuild = storage + QStringList{QStringLiteral("build"),
                                                               QStringLiteral("--layers"),
                                                               QStringLiteral("--isolation"),
                                                               QStringLiteral("chroot"),
                                                               QStringLiteral("-t"),
                                                               QStringLiteral("bench:latest"),
                                                               context};
        const double theirCold = timed(buildah, buildahBuild);
        const double theirCached = timed(buildah, buildahBuild);
        if (theirCold < 0 || theirCached < 0)
            return 1;
        theirs.cold.append(theirCold);
        theirs.cached.append(theirCached);
        std::printf(
            "round %d: stagecraft cold %.0f ms, cached %.0f ms; buildah cold %.0f ms, cached %.0f ms\n",
            round + 1, cold, cached, theirCold, theirCached);
    }

    const double ourCold = median(ours.cold);
    const double ourCached = median(ours.cached);
    const double theirCold = median(theirs.cold);
    const double theirCached = median(theirs.cached);
    std::printf("\n%s, median of %d rounds\n", qPrintable(QDir(context).dirName()), rounds);
    std::printf("%-10s %12s %12s\n", "", "cold ms", "cached ms");
    std::printf("%-10s %12.0f %12.0f\n", "stagecraft", ourCold, ourCached);
    std::printf("%-10s %12.0f %12.0f\n", "buildah", theirCold, theirCached);
    std::printf("cold: stagecraft takes %.2fx buildah's time (target <= 0.8x)\n", ourCold / theirCold);
    std::printf("cached: stagecraft is %.1fx faster than buildah (target >= 10x)\n", theirCached / ourCached);
    return 0;
}
