// How long one RUN that writes a single file takes on a large root filesystem (500 MB
// by default): overlayfs in a user namespace against the copy-and-compare fallback.
// Usage: bench_exec [megabytes] [scratch-parent-dir]. Prints figures; never fails on time.
#include "busyboxrootfs.h"

#include "core/exec/changeset.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace stagecraft;

namespace {

bool fillRootfs(const QString &lower, int megabytes)
{
    if (!test::makeBusyboxRootfs(lower))
        return false;
    // 256 KiB files in 50 directories, about the shape of a distribution's /usr.
    const QByteArray block(256 * 1024, 'x');
    const int files = megabytes * 4;
    for (int i = 0; i < files; ++i) {
        QByteArray content = block;
        content.replace(0, 16, QByteArray::number(i).rightJustified(16, '0'));
        if (!test::writeFile(QStringLiteral("%1/usr/lib/pkg%2/file%3.bin").arg(lower).arg(i % 50).arg(i),
                             content))
            return false;
    }
    return true;
}

struct Timing
{
    double prepareMs = 0;
    double runMs = 0; // median of five runs
    double captureMs = 0;
    qsizetype entries = 0;
};

std::optional<Timing> measure(const QString &lower, const QString &scratch, RootfsMode mode)
{
    Timing t;
    QElapsedTimer timer;
    timer.start();
    Expected<Rootfs> rootfs = Rootfs::prepare({lower}, scratch, mode, {});
    if (!rootfs) {
        std::fprintf(stderr, "prepare: %s\n", qPrintable(rootfs.error().message));
        return std::nullopt;
    }
    t.prepareMs = double(timer.nsecsElapsed()) / 1e6;
    RunSpec spec;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                 QStringLiteral("echo built > /usr/lib/app.txt")};
    // The median of a few runs: namespace setup time varies with the machine's load.
    QList<double> runs;
    for (int i = 0; i < 5; ++i) {
        timer.restart();
        const auto ran = Sandbox::run(*rootfs, spec, {});
        runs.append(double(timer.nsecsElapsed()) / 1e6);
        if (!ran) {
            std::fprintf(stderr, "run: %s\n", qPrintable(ran.error().message));
            return std::nullopt;
        }
    }
    std::sort(runs.begin(), runs.end());
    t.runMs = runs[runs.size() / 2];
    timer.restart();
    const Expected<ChangeSet> changes = ChangeSet::capture(*rootfs, {});
    t.captureMs = double(timer.nsecsElapsed()) / 1e6;
    if (!changes) {
        std::fprintf(stderr, "capture: %s\n", qPrintable(changes.error().message));
        return std::nullopt;
    }
    t.entries = changes->entries().size();
    rootfs->removeScratch();
    return t;
}

void print(const char *name, const Timing &t)
{
    std::printf(
        "%-8s prepare %9.1f ms   run %7.1f ms   capture %8.1f ms   total %9.1f ms   (%lld layer entries)\n",
        name, t.prepareMs, t.runMs, t.captureMs, t.prepareMs + t.runMs + t.captureMs,
        static_cast<long long>(t.entries));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int megabytes = argc > 1 ? QByteArray(argv[1]).toInt() : 500;
    const QString parent = argc > 2 ? QString::fromLocal8Bit(argv[2]) : QDir::tempPath();
    QString reason;
    if (!Sandbox::isAvailable(&reason)) {
        std::printf("sandbox unavailable: %s\n", qPrintable(reason));
        return 0;
    }
    QTemporaryDir dir(parent + QStringLiteral("/bench_exec-XXXXXX"));
    const QString lower = dir.filePath(QStringLiteral("layer"));
    QElapsedTimer timer;
    timer.start();
    if (!fillRootfs(lower, megabytes)) {
        std::printf("cannot create the root filesystem (is busybox installed?)\n");
        return 1;
    }
    std::printf("root filesystem: %d MB in %d files, written in %.1f s\n", megabytes, megabytes * 4 + 25,
                double(timer.elapsed()) / 1000);

    std::optional<Timing> overlay;
    if (Rootfs::overlaySupported(&reason)) {
        QDir().mkpath(dir.filePath(QStringLiteral("overlay")));
        overlay = measure(lower, dir.filePath(QStringLiteral("overlay")), RootfsMode::Overlay);
        if (overlay)
            print("overlay", *overlay);
    } else {
        std::printf("overlay  unavailable: %s\n", qPrintable(reason));
    }
    QDir().mkpath(dir.filePath(QStringLiteral("copy")));
    const std::optional<Timing> copy = measure(lower, dir.filePath(QStringLiteral("copy")), RootfsMode::Copy);
    if (copy)
        print("copy", *copy);
    if (overlay && copy) {
        const double o = overlay->prepareMs + overlay->runMs + overlay->captureMs;
        const double c = copy->prepareMs + copy->runMs + copy->captureMs;
        std::printf("copy / overlay: %.0fx\n", c / o);
    }
    Rootfs::removeTree(dir.path());
    return 0;
}
