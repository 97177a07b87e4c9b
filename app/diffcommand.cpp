// `stagecraft diff A B`: what changed between two images (files added, removed and
// changed with their size deltas, per directory, and the layer of each image that wrote
// them), from the store, docker-archives or OCI layouts; `--ci --max-growth` fails a
// pipeline when the second image grew past a budget and names what grew most.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/analysis/bytesize.h"
#include "core/analysis/imagecomparison.h"
#include "core/analysis/imagesource.h"
#include "core/common/controlcharacters.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <optional>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft diff [--store DIR] [--json] [--limit N] [--depth N] [--no-cache]\n"
    "                       [--ci --max-growth SIZE|P%] A B\n"
    "\n"
    "Compares image B with image A (each a reference in the store, a `docker save`\n"
    "tarball or an OCI layout directory, optionally DIR:NAME): the total sizes and the\n"
    "growth, the layers they share, the directories whose bytes differ, and the paths\n"
    "only in B (added), only in A (removed) and in both but changed (size, type, mode,\n"
    "owner or link target), largest first, each with the layer that wrote it.\n"
    "Sizes are uncompressed bytes as `docker history` counts them.\n"
    "\n"
    "  --store DIR        the store (default $STAGECRAFT_STORE, else the user's data dir)\n"
    "  --json             one JSON object instead of text (every path, no --limit)\n"
    "  --limit N          paths shown per list in the text (default 20; 0: all)\n"
    "  --depth N          directory levels in the per-directory list (default 2)\n"
    "  --no-cache         neither read nor write the analysis caches\n"
    "  --ci               check the budget: print PASS or FAIL, exit 1 on FAIL\n"
    "  --max-growth X     the budget: bytes B may add to A (20MB, 1.5GB, 512KiB, digits)\n"
    "                     or a percentage of A's size (5%)\n"
    "\n"
    "JSON: {a: {image, source, id, totalSize, layers}, b: {…}, sharedLayers, growth,\n"
    "filesGrowth (of the final filesystem), growthPercent, directories, added, removed, changed: [{path, "
    "type, aSize, bSize,\n"
    "delta, aLayer, bLayer, changes?}], ci?: {maxGrowth, limitBytes, pass, message,\n"
    "largestGrowth, largestLayers}}. Layers are indexes into the image's layers (null: absent).\n"
    "\n"
    "Exit status: 0 ok, 1 the budget was exceeded or an image cannot be read, 2 usage error.\n";

const QString kName = QStringLiteral("diff");

struct Budget
{
    QString text;
    qint64 limitBytes = 0;
};

Expected<Budget> parseBudget(const QString &text, qint64 baseSize)
{
    Budget budget{text, 0};
    if (text.endsWith(u'%')) {
        bool ok = false;
        const double percent = text.chopped(1).trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(percent) || percent < 0)
            return fail(QStringLiteral("--max-growth takes a size such as 20MB or a percentage such as 5%, "
                                       "not '%1'")
                            .arg(text));
        budget.limitBytes = qint64(std::floor(double(baseSize) * percent / 100.0));
        return budget;
    }
    auto bytes = parseByteSize(text);
    if (!bytes)
        return fail(QStringLiteral("--max-growth: %1").arg(bytes.error().message));
    budget.limitBytes = *bytes;
    return budget;
}

QString signedSize(qint64 delta)
{
    if (delta > 0)
        return u'+' + formatByteSize(delta);
    if (delta < 0)
        return u'-' + formatByteSize(-delta);
    return QStringLiteral("0 B");
}

QString growthPercent(const ImageComparison &c)
{
    if (c.leftTotal() <= 0)
        return QStringLiteral("n/a");
    return QString::asprintf("%+.1f %%", 100.0 * double(c.growth()) / double(c.leftTotal()));
}

// "layer 3: RUN …" of that image, or empty when the path is absent there.
QString layerText(const ImageAnalysis &analysis, int layer)
{
    if (layer < 0 || layer >= analysis.layers().size())
        return {};
    const LayerReport &l = analysis.layers()[layer];
    const QString step = !l.createdBy.isEmpty() ? l.createdBy : l.comment;
    return step.isEmpty() ? QStringLiteral("layer %1").arg(layer)
                          : QStringLiteral("layer %1: %2").arg(layer).arg(oneLineField(step, 60));
}

QString pathText(const PathDifference &d)
{
    return escapeControlCharacters(d.path) +
           (d.type == EntryType::Directory ? QStringLiteral("/") : QString());
}

struct Sides
{
    const OpenedImage &a;
    const OpenedImage &b;
};

void printList(QString &out, const QString &title, const QList<PathDifference> &list, int limit,
               const Sides &sides, bool fromA)
{
    qint64 sum = 0;
    for (const PathDifference &d : list)
        sum += d.delta();
    out += QStringLiteral("\n%1 (%2 %3, %4):\n")
               .arg(title)
               .arg(list.size())
               .arg(list.size() == 1 ? QStringLiteral("path") : QStringLiteral("paths"))
               .arg(signedSize(sum));
    if (list.isEmpty()) {
        out += QStringLiteral("  (none)\n");
        return;
    }
    const qsizetype shown = limit > 0 ? qMin<qsizetype>(limit, list.size()) : list.size();
    for (qsizetype i = 0; i < shown; ++i) {
        const PathDifference &d = list[i];
        out += QStringLiteral("  %1  %2").arg(signedSize(d.delta()), 9).arg(pathText(d));
        if (d.changes != 0) {
            out += QStringLiteral("  [%1]").arg(pathChangeNames(d.changes).join(u','));
            out += QStringLiteral("  A %1; B %2\n")
                       .arg(layerText(*sides.a.analysis, d.leftLayer),
                            layerText(*sides.b.analysis, d.rightLayer));
        } else {
            const QString layer = fromA ? layerText(*sides.a.analysis, d.leftLayer)
                                        : layerText(*sides.b.analysis, d.rightLayer);
            out +=
                QStringLiteral("  (%1 %2)\n").arg(fromA ? QStringLiteral("A") : QStringLiteral("B"), layer);
        }
    }
    if (shown < list.size())
        out += QStringLiteral("  ... and %1 more (--limit 0 lists all)\n").arg(list.size() - shown);
}

QString imageLine(const QString &mark, const OpenedImage &image, int shared)
{
    const int layers = int(image.analysis->layers().size());
    return QStringLiteral("%1  %2 (%3)  %4 (%5 bytes) in %6 %7, %8 shared\n")
        .arg(mark, escapeControlCharacters(image.label), image.source,
             formatByteSize(image.analysis->totalSize()))
        .arg(image.analysis->totalSize())
        .arg(layers)
        .arg(layers == 1 ? QStringLiteral("layer") : QStringLiteral("layers"))
        .arg(shared);
}

QString layersText(const ImageComparison &c, const QList<int> &layers)
{
    QStringList parts;
    for (int i : layers) {
        // A layer without history (an imported base) has no instruction to name.
        const QString createdBy = oneLineField(c.layers()[i].rightCreatedBy, 50);
        const QString size = formatByteSize(c.layers()[i].rightSize);
        parts.append(createdBy.isEmpty() ? QStringLiteral("layer %1 (%2)").arg(i).arg(size)
                                         : QStringLiteral("layer %1 (%2: %3)").arg(i).arg(size, createdBy));
    }
    return parts.join(QStringLiteral(", "));
}

QString growersText(const QList<PathDifference> &grown)
{
    QStringList parts;
    for (const PathDifference &d : grown)
        parts.append(QStringLiteral("%1 (%2)").arg(pathText(d), signedSize(d.delta())));
    return parts.join(QStringLiteral(", "));
}

void printText(const Sides &sides, const ImageComparison &c, int limit)
{
    QString out;
    out += imageLine(QStringLiteral("A"), sides.a, c.sharedLayerCount());
    out += imageLine(QStringLiteral("B"), sides.b, c.sharedLayerCount());
    out += QStringLiteral("Growth: %1 (%2 bytes, %3)\n")
               .arg(signedSize(c.growth()))
               .arg(c.growth())
               .arg(growthPercent(c));
    const qint64 filesGrowth = c.rightFilesTotal() - c.leftFilesTotal();
    if (filesGrowth != c.growth())
        out +=
            QStringLiteral("Files:  %1 in the final filesystem (%2 -> %3); the other %4 is in layers whose "
                           "files later layers removed or overwrote\n")
                .arg(signedSize(filesGrowth), formatByteSize(c.leftFilesTotal()),
                     formatByteSize(c.rightFilesTotal()), signedSize(c.growth() - filesGrowth));

    out += QStringLiteral("\nBy directory:\n");
    if (c.directories().isEmpty())
        out += QStringLiteral("  (no directory differs)\n");
    const qsizetype dirs =
        limit > 0 ? qMin<qsizetype>(limit, c.directories().size()) : c.directories().size();
    for (qsizetype i = 0; i < dirs; ++i) {
        const PathDifference &d = c.directories()[i];
        QString sizes = QStringLiteral("%1 -> %2")
                            .arg(d.leftSize < 0 ? QStringLiteral("absent") : formatByteSize(d.leftSize),
                                 d.rightSize < 0 ? QStringLiteral("absent") : formatByteSize(d.rightSize));
        out += QStringLiteral("  %1  %2  (%3)\n").arg(signedSize(d.delta()), 9).arg(pathText(d), sizes);
    }
    if (dirs < c.directories().size())
        out += QStringLiteral("  ... and %1 more\n").arg(c.directories().size() - dirs);

    printList(out, QStringLiteral("Added in B"), c.onlyInRight(), limit, sides, false);
    printList(out, QStringLiteral("Removed from A"), c.onlyInLeft(), limit, sides, true);
    printList(out, QStringLiteral("Changed"), c.changed(), limit, sides, true);
    printOut(out);
}

QJsonValue layerJson(int layer)
{
    return layer < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(layer);
}

QJsonArray differencesJson(const QList<PathDifference> &list)
{
    QJsonArray out;
    for (const PathDifference &d : list) {
        QJsonObject o{
            {QStringLiteral("path"), d.path},
            {QStringLiteral("type"), entryTypeName(d.type)},
            {QStringLiteral("aSize"), d.leftSize < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(d.leftSize)},
            {QStringLiteral("bSize"),
             d.rightSize < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(d.rightSize)},
            {QStringLiteral("delta"), d.delta()},
            {QStringLiteral("aLayer"), layerJson(d.leftLayer)},
            {QStringLiteral("bLayer"), layerJson(d.rightLayer)}};
        if (d.changes != 0)
            o.insert(QStringLiteral("changes"), QJsonArray::fromStringList(pathChangeNames(d.changes)));
        out.append(o);
    }
    return out;
}

QJsonArray layersJson(const QList<int> &layers)
{
    QJsonArray out;
    for (int i : layers)
        out.append(i);
    return out;
}

QJsonObject imageJson(const OpenedImage &image)
{
    QJsonArray layers;
    for (const LayerReport &l : image.analysis->layers())
        layers.append(QJsonObject{{QStringLiteral("index"), l.index},
                                  {QStringLiteral("diffId"), l.diffId},
                                  {QStringLiteral("size"), l.size},
                                  {QStringLiteral("createdBy"), l.createdBy}});
    return QJsonObject{{QStringLiteral("image"), image.argument},
                       {QStringLiteral("source"), image.source},
                       {QStringLiteral("id"), image.image.id().toString()},
                       {QStringLiteral("totalSize"), image.analysis->totalSize()},
                       {QStringLiteral("layers"), layers}};
}

int runDiff(const QStringList &argv)
{
    auto args = StoreArguments::parse(
        argv, {QStringLiteral("--limit"), QStringLiteral("--depth"), QStringLiteral("--max-growth")},
        {QStringLiteral("--json"), QStringLiteral("--ci"), QStringLiteral("--no-cache")});
    if (!args)
        return usageError(kName, args.error().message);
    if (args->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (args->positional().size() != 2)
        return usageError(kName, QStringLiteral("give two images, A and B: store references, docker-archive "
                                                "files or OCI layout directories"));
    const bool ci = args->has(QStringLiteral("--ci"));
    if (ci != args->has(QStringLiteral("--max-growth")))
        return usageError(kName, ci ? QStringLiteral("--ci needs a budget: --max-growth SIZE or P%")
                                    : QStringLiteral("--max-growth is a --ci budget; add --ci"));
    auto count = [&args](const QString &option, int fallback) -> std::optional<int> {
        if (!args->has(option))
            return fallback;
        bool ok = false;
        const int n = args->value(option).toInt(&ok);
        return ok && n >= 0 && n <= 1000000 ? std::optional<int>(n) : std::nullopt;
    };
    const auto limit = count(QStringLiteral("--limit"), 20);
    const auto depth = count(QStringLiteral("--depth"), 2);
    if (!limit)
        return usageError(kName, QStringLiteral("--limit takes a count (0: all)"));
    if (!depth || *depth > 64)
        return usageError(kName, QStringLiteral("--depth takes a count from 0 to 64"));

    auto store = args->openStore();
    const bool useCache = !args->has(QStringLiteral("--no-cache"));
    QList<OpenedImage> opened;
    for (const QString &argument : args->positional()) {
        auto image = ImageSource::analyse(argument, store ? &*store : nullptr, {}, useCache);
        if (!image)
            return commandError(kName, QStringLiteral("%1: %2").arg(argument, image.error().message));
        for (const QString &problem : image->stats.cacheProblems)
            printErr(QStringLiteral("stagecraft diff: warning: analysis cache: %1\n").arg(problem));
        opened.append(*image);
    }
    const Sides sides{opened[0], opened[1]};
    ImageComparison::Options options;
    options.directoryDepth = *depth;
    const ImageComparison c = ImageComparison::compare(*sides.a.analysis, *sides.b.analysis, options);

    std::optional<Budget> budget;
    bool pass = true;
    QString verdict;
    const QList<PathDifference> grown = c.largestGrowth(5);
    const QList<int> bigLayers = c.largestUnsharedLayers(3);
    if (ci) {
        auto parsed = parseBudget(args->value(QStringLiteral("--max-growth")), c.leftTotal());
        if (!parsed)
            return usageError(kName, parsed.error().message);
        budget = *parsed;
        pass = c.growth() <= budget->limitBytes;
        // "grew by -1.1 MB" reads as a riddle: a smaller B says it shrank.
        const QString change = c.growth() > 0 ? QStringLiteral("grew by %1").arg(signedSize(c.growth()))
                               : c.growth() < 0
                                   ? QStringLiteral("shrank by %1").arg(formatByteSize(-c.growth()))
                                   : QStringLiteral("kept its size");
        verdict = pass
                      ? QStringLiteral("PASS max-growth: B %1 (%2), within the budget of %3 (%4 bytes)")
                            .arg(change, growthPercent(c), budget->text)
                            .arg(budget->limitBytes)
                      : QStringLiteral("FAIL max-growth: B grew by %1 (%2), over the budget of %3 (%4 bytes)")
                            .arg(signedSize(c.growth()), growthPercent(c), budget->text)
                            .arg(budget->limitBytes);
        if (!pass && !grown.isEmpty())
            verdict += QStringLiteral("; grew most: ") + growersText(grown);
        if (!pass && !bigLayers.isEmpty())
            verdict += QStringLiteral("; largest layers of B not in A: ") + layersText(c, bigLayers);
    }

    if (args->has(QStringLiteral("--json"))) {
        QJsonObject json{{QStringLiteral("a"), imageJson(sides.a)},
                         {QStringLiteral("b"), imageJson(sides.b)},
                         {QStringLiteral("sharedLayers"), c.sharedLayerCount()},
                         {QStringLiteral("growth"), c.growth()},
                         {QStringLiteral("filesGrowth"), c.rightFilesTotal() - c.leftFilesTotal()},
                         {QStringLiteral("growthPercent"),
                          c.leftTotal() > 0 ? QJsonValue(100.0 * double(c.growth()) / double(c.leftTotal()))
                                            : QJsonValue(QJsonValue::Null)},
                         {QStringLiteral("directories"), differencesJson(c.directories())},
                         {QStringLiteral("added"), differencesJson(c.onlyInRight())},
                         {QStringLiteral("removed"), differencesJson(c.onlyInLeft())},
                         {QStringLiteral("changed"), differencesJson(c.changed())}};
        if (budget)
            json.insert(QStringLiteral("ci"),
                        QJsonObject{{QStringLiteral("maxGrowth"), budget->text},
                                    {QStringLiteral("limitBytes"), budget->limitBytes},
                                    {QStringLiteral("pass"), pass},
                                    {QStringLiteral("message"), verdict},
                                    {QStringLiteral("largestGrowth"), differencesJson(grown)},
                                    {QStringLiteral("largestLayers"), layersJson(bigLayers)}});
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
    } else {
        printText(sides, c, *limit);
        if (ci)
            printOut(u'\n' + verdict + u'\n');
    }
    return pass ? 0 : 1;
}

const CommandRegistration reg{
    {QStringLiteral("diff"),
     QStringLiteral("what changed between two images, and whether one grew past a budget"), runDiff}};

} // namespace

} // namespace stagecraft::app
