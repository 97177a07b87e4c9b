// `stagecraft packages IMAGE`: the bytes each installed package takes in an image, from
// the package databases inside it (dpkg, apk, Python's dist-info, node_modules), with the
// layer that installed it and, given the build record, the Dockerfile line.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/analysis/bytesize.h"
#include "core/analysis/imagesource.h"
#include "core/analysis/packagesizes.h"
#include "core/common/controlcharacters.h"
#include "core/progress/buildprogress.h"
#include "core/progress/buildrecord.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace stagecraft::app {

namespace {

const char kUsage[] = "Usage: stagecraft packages [--store DIR] [--json] [--sort size|name] [--top N]\n"
                      "                           [--record FILE] [--no-cache] IMAGE\n"
                      "\n"
                      "The bytes each installed package takes in IMAGE (a reference in the store, a\n"
                      "`docker save` tarball or an OCI layout directory), read from the package databases\n"
                      "inside it: dpkg's /var/lib/dpkg/status and info/*.list (or distroless's status.d/),\n"
                      "apk's lib/apk/db/installed, Python's *.dist-info/RECORD and\n"
                      "node_modules/*/package.json. A package's size is the sum of its files' sizes\n"
                      "in the final filesystem (each file once; directories and files it lists that are\n"
                      "gone count nothing). Its layer is the lowest layer whose version of one of its\n"
                      "files the image keeps.\n"
                      "\n"
                      "  --store DIR      the store (default $STAGECRAFT_STORE, else the user's data dir)\n"
                      "  --json           one JSON object instead of text\n"
                      "  --sort KEY       size (default, largest first) or name\n"
                      "  --top N          only the first N packages\n"
                      "  --record FILE    the build record of the build that made IMAGE: adds the\n"
                      "                   Dockerfile line of the step that made each package's layer\n"
                      "  --no-cache       neither read nor write the caches (analysis and databases)\n"
                      "\n"
                      "Databases are bounded (64 MiB each, 256 MiB in all, 64 KiB lines); malformed\n"
                      "entries are skipped and counted.\n"
                      "\n"
                      "JSON: {image, imageBytes, packageBytes, malformed, problems: [...], packages:\n"
                      "[{manager, name, version, bytes, files, missingFiles, layer, line?, database}]}.\n"
                      "\n"
                      "Exit status: 0 ok, 1 the image or record cannot be read, 2 usage error.\n";

const QString kName = QStringLiteral("packages");

// Layer digest -> the first line of the step that made it, from a build record.
Expected<QHash<QString, int>> linesFromRecord(const QString &path)
{
    auto record = BuildRecord::read(path);
    if (!record)
        return std::unexpected(record.error());
    BuildProgress progress;
    if (auto loaded = record->load(progress); !loaded)
        return std::unexpected(loaded.error());
    QHash<QString, int> lines;
    for (int s : progress.stageIndexes())
        for (const StepProgress &step : progress.stage(s)->steps)
            if (!step.layerDigest.isEmpty() && step.range.start.line > 0)
                lines.insert(step.layerDigest, step.range.start.line);
    return lines;
}

int runPackages(const QStringList &argv)
{
    auto args = StoreArguments::parse(
        argv, {QStringLiteral("--sort"), QStringLiteral("--top"), QStringLiteral("--record")},
        {QStringLiteral("--json"), QStringLiteral("--no-cache")});
    if (!args)
        return usageError(kName, args.error().message);
    if (args->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (args->positional().size() != 1)
        return usageError(kName, QStringLiteral("give one image"));
    const QString sort =
        args->has(QStringLiteral("--sort")) ? args->value(QStringLiteral("--sort")) : QStringLiteral("size");
    if (sort != u"size" && sort != u"name")
        return usageError(kName, QStringLiteral("--sort takes size or name, not %1").arg(sort));
    qsizetype top = -1;
    if (args->has(QStringLiteral("--top"))) {
        bool ok = false;
        top = args->value(QStringLiteral("--top")).toLongLong(&ok);
        if (!ok || top < 0)
            return usageError(kName, QStringLiteral("--top takes a number of packages"));
    }
    QHash<QString, int> lines;
    if (args->has(QStringLiteral("--record"))) {
        auto read = linesFromRecord(args->value(QStringLiteral("--record")));
        if (!read)
            return commandError(kName, read.error().message);
        lines = *read;
    }

    const QString imageArgument = args->positional().first();
    const bool useCache = !args->has(QStringLiteral("--no-cache"));
    auto store = args->openStore();
    const ImageStore *storePointer = store ? &*store : nullptr;
    auto image = ImageSource::analyse(imageArgument, storePointer, {}, useCache);
    if (!image)
        return commandError(kName, QStringLiteral("%1: %2").arg(imageArgument, image.error().message));
    const QString cacheDir =
        useCache && storePointer ? storePointer->cacheDir(QStringLiteral("packages")) : QString();
    auto report = PackageSizes::ofImage(image->image, *image->analysis, cacheDir);
    if (!report)
        return commandError(kName, report.error().message);

    QList<PackageSize> packages = report->packages;
    if (sort == u"name")
        std::stable_sort(packages.begin(), packages.end(), [](const PackageSize &a, const PackageSize &b) {
            return a.name != b.name ? a.name < b.name : a.manager < b.manager;
        });
    if (top >= 0 && packages.size() > top)
        packages.resize(top);
    const QList<LayerReport> &layers = image->analysis->layers();
    const auto lineOf = [&](int layer) {
        return layer >= 0 && layer < layers.size() ? lines.value(layers[layer].digest, 0) : 0;
    };

    if (args->has(QStringLiteral("--json"))) {
        QJsonArray list;
        for (const PackageSize &p : std::as_const(packages)) {
            QJsonObject o{{QStringLiteral("manager"), packageManagerName(p.manager)},
                          {QStringLiteral("name"), p.name},
                          {QStringLiteral("version"), p.version},
                          {QStringLiteral("bytes"), p.bytes},
                          {QStringLiteral("files"), p.files},
                          {QStringLiteral("missingFiles"), p.missingFiles},
                          {QStringLiteral("layer"), p.layer >= 0 ? QJsonValue(p.layer) : QJsonValue()},
                          {QStringLiteral("database"), p.database}};
            if (const int line = lineOf(p.layer); line > 0)
                o.insert(QStringLiteral("line"), line);
            list.append(o);
        }
        const QJsonObject json{{QStringLiteral("image"), imageArgument},
                               {QStringLiteral("imageBytes"), report->imageBytes},
                               {QStringLiteral("packageBytes"), report->packageBytes},
                               {QStringLiteral("malformed"), report->malformed},
                               {QStringLiteral("problems"), QJsonArray::fromStringList(report->problems)},
                               {QStringLiteral("packages"), list}};
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
        return 0;
    }

    QString out;
    if (report->packages.isEmpty()) {
        out += QStringLiteral("%1: no package database found (dpkg, apk, Python dist-info, node_modules)\n")
                   .arg(escapeControlCharacters(imageArgument));
    } else {
        out += QStringLiteral("%1: %2 %3 %4 of %5 (%6 in no package)\n")
                   .arg(escapeControlCharacters(imageArgument),
                        report->packages.size() == 1
                            ? QStringLiteral("1 package")
                            : QStringLiteral("%1 packages").arg(report->packages.size()),
                        report->packages.size() == 1 ? QStringLiteral("owns") : QStringLiteral("own"))
                   .arg(formatByteSize(report->packageBytes), formatByteSize(report->imageBytes),
                        formatByteSize(report->imageBytes - report->packageBytes));
        int nameWidth = 8;
        for (const PackageSize &p : std::as_const(packages))
            nameWidth = qMax(nameWidth, int(qMin<qsizetype>(p.name.size(), 40)));
        for (const PackageSize &p : std::as_const(packages)) {
            QString row = QStringLiteral("  %1  %2  %3")
                              .arg(oneLineField(p.name, 40), -nameWidth)
                              .arg(formatByteSize(p.bytes), 9)
                              .arg(p.layer >= 0 ? QStringLiteral("layer %1").arg(p.layer, -3)
                                                : QStringLiteral("layer ? "));
            if (const int line = lineOf(p.layer); line > 0)
                row += QStringLiteral("  line %1").arg(line);
            row += QStringLiteral("  %1 %2").arg(packageManagerName(p.manager), oneLineField(p.version, 40));
            out += row.trimmed().prepend(QStringLiteral("  ")) + u'\n';
        }
        if (packages.size() < report->packages.size())
            out += QStringLiteral("  … and %1 more\n").arg(report->packages.size() - packages.size());
    }
    if (report->malformed > 0)
        out += QStringLiteral("%1 malformed database entries skipped\n").arg(report->malformed);
    for (const QString &problem : std::as_const(report->problems))
        out += QStringLiteral("note: %1\n").arg(oneLineField(problem, 200));
    printOut(out);
    return 0;
}

const CommandRegistration reg{
    {QStringLiteral("packages"),
     QStringLiteral("the bytes each installed package takes in an image, and its layer"), runPackages}};

} // namespace

} // namespace stagecraft::app
