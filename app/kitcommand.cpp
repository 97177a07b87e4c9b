// `stagecraft kit`: a classroom kit (core/kit/classroomkit.h). `export` builds the lesson's
// examples and writes one file with their base images, the cache of every step and the
// examples themselves; `import` loads a kit into the store and copies the examples out;
// `show` lists a kit and, with --check, says which examples build without the network.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/kit/classroomkit.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include <functional>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft kit export [--store DIR] -o FILE EXAMPLE_DIR...\n"
    "       stagecraft kit import [--store DIR] [--examples DIR] FILE\n"
    "       stagecraft kit show [--store DIR] [--check] FILE\n"
    "\n"
    "A classroom kit is one file (the tar of an OCI image layout) holding the base images\n"
    "a lesson's examples start from, the build cache of every step of them, and the\n"
    "examples (Dockerfiles, contexts, lesson text). `export` builds each EXAMPLE_DIR (its\n"
    "Dockerfile) first. `import` verifies the whole kit before it touches the store (a\n"
    "truncated or damaged kit is refused and changes nothing), then loads the images and\n"
    "the cache and copies the examples into --examples DIR (default ./<kit name>-examples):\n"
    "after that every example builds fully cached with the network off. `show` lists the\n"
    "contents with sizes; --check says which examples are fully covered (their base\n"
    "images in the kit or the store, every step's result in the kit) and, for the others,\n"
    "each step without a result by line and instruction, and whether it would only run or\n"
    "would need the network (a package manager, downloader or VCS; a missing base image\n"
    "always does). --check exits with 1 when an example is not fully covered.\n";

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 1) + QStringLiteral(" MiB");
}

void printContents(const ClassroomKit &kit, bool check, const ImageStore *store = nullptr)
{
    printOut(QStringLiteral("images:\n"));
    for (const KitImage &i : kit.images())
        printOut(QStringLiteral("  %1  %2\n").arg(i.name, megabytes(i.bytes)));
    printOut(QStringLiteral("build cache: %1 steps, %2 layers, %3\n")
                 .arg(kit.cache().index().entries.size())
                 .arg(kit.cache().index().blobs().size())
                 .arg(megabytes(kit.cacheBytes())));
    printOut(QStringLiteral("examples (%1):\n").arg(megabytes(kit.examplesBytes())));
    std::function<bool(const QString &)> inStore;
    if (store)
        inStore = [store](const QString &image) { return store->resolve(image).has_value(); };
    const QList<KitCoverage> coverage = kit.coverage(inStore);
    int covered = 0;
    for (qsizetype i = 0; i < kit.examples().size(); ++i) {
        const KitExample &e = kit.examples()[i];
        const KitCoverage &c = coverage[i];
        QString line = QStringLiteral("  %1  %2 steps").arg(e.name).arg(e.steps);
        if (!check) {
            printOut(line + u'\n');
            continue;
        }
        line += QStringLiteral(", %1 cached").arg(megabytes(c.cacheBytes));
        if (c.covered()) {
            ++covered;
            printOut(line + QStringLiteral("  covered: builds fully cached offline\n"));
            continue;
        }
        line += c.needsNetwork() ? QStringLiteral("  NOT covered: would need the network\n")
                                 : QStringLiteral("  NOT covered: steps would run (offline)\n");
        for (const QString &image : c.missingImages)
            line += QStringLiteral("    base image %1: not in the kit or the store, would be pulled "
                                   "(needs the network)\n")
                        .arg(image);
        for (const KitMissingStep &step : c.steps)
            line += QStringLiteral("    %1%2: no cached result, %3\n")
                        .arg(step.line > 0 ? QStringLiteral("line %1: ").arg(step.line) : QString(),
                             step.instruction.left(120),
                             step.needsNetwork ? QStringLiteral("would need the network")
                                               : QStringLiteral("would run"));
        if (c.steps.isEmpty() && c.missingSteps > 0) // a kit that does not name its steps
            line += QStringLiteral("    %1 steps have no cached result and would run\n").arg(c.missingSteps);
        printOut(line);
    }
    if (check)
        printOut(QStringLiteral("%1 of %2 examples fully covered\n").arg(covered).arg(kit.examples().size()));
}

int runKit(const QStringList &args)
{
    const QString name = QStringLiteral("kit");
    if (args.isEmpty() || args.first() == QLatin1String("-h") || args.first() == QLatin1String("--help")) {
        printOut(QString::fromLatin1(kUsage));
        return args.isEmpty() ? 2 : 0;
    }
    // The action is the first word that is neither an option nor an option's value.
    QStringList rest = args;
    QString action;
    for (qsizetype i = 0; i < rest.size(); ++i) {
        const QString &a = rest[i];
        if (a == QLatin1String("--store") || a == QLatin1String("-o") || a == QLatin1String("--examples")) {
            ++i;
        } else if (!a.startsWith(QLatin1Char('-'))) {
            action = rest.takeAt(i);
            break;
        }
    }
    auto parsed = StoreArguments::parse(rest, {QStringLiteral("-o"), QStringLiteral("--examples")},
                                        {QStringLiteral("--check")});
    if (!parsed)
        return usageError(name, parsed.error().message);
    if (parsed->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    auto store = parsed->openStore();
    if (!store)
        return commandError(name, store.error().message);
    QElapsedTimer timer;
    timer.start();
    if (action == QLatin1String("export")) {
        if (parsed->value(QStringLiteral("-o")).isEmpty() || parsed->positional().isEmpty())
            return usageError(name, QStringLiteral("kit export needs -o FILE and at least one EXAMPLE_DIR"));
        auto kit = ClassroomKit::write(*store, parsed->positional(), parsed->value(QStringLiteral("-o")));
        if (!kit)
            return commandError(name, kit.error().message);
        printContents(*kit, false);
        printOut(QStringLiteral("wrote %1 in %2 s\n")
                     .arg(parsed->value(QStringLiteral("-o")))
                     .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1));
        return 0;
    }
    if (parsed->positional().size() != 1)
        return usageError(name, QStringLiteral("give one kit FILE"));
    const QString file = parsed->positional().first();
    auto kit = ClassroomKit::open(file, store->cacheDir(QStringLiteral("tmp")));
    if (!kit)
        return commandError(name, kit.error().message);
    if (action == QLatin1String("show")) {
        const bool check = parsed->has(QStringLiteral("--check"));
        printContents(*kit, check, &*store);
        if (!check)
            return 0;
        // 0: every example builds offline; 1: some would need the network or run steps.
        for (const KitCoverage &c :
             kit->coverage([&](const QString &image) { return store->resolve(image).has_value(); }))
            if (!c.covered())
                return 1;
        return 0;
    }
    if (action == QLatin1String("import")) {
        QString examples = parsed->value(QStringLiteral("--examples"));
        if (examples.isEmpty())
            examples =
                QDir::current().filePath(QFileInfo(file).completeBaseName() + QStringLiteral("-examples"));
        auto written = kit->importInto(*store, QDir(examples).absolutePath());
        if (!written)
            return commandError(name, written.error().message);
        printOut(QStringLiteral("loaded %1 images and %2 cached steps into %3\n")
                     .arg(kit->images().size())
                     .arg(kit->cache().index().entries.size())
                     .arg(store->root()));
        for (const QString &dir : *written)
            printOut(QStringLiteral("example: %1\n").arg(dir));
        printOut(QStringLiteral("done in %1 s\n").arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1));
        return 0;
    }
    return usageError(name, QStringLiteral("kit export, import or show, not \"%1\"").arg(action));
}

const CommandRegistration reg{
    {QStringLiteral("kit"),
     QStringLiteral("export, import or show a classroom kit (images, build cache, examples)"), runKit}};

} // namespace

} // namespace stagecraft::app
