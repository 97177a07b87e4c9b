// `stagecraft inspect`: an image's layers, sizes, changes and wasted space (the numbers
// dive shows), from the store, a docker-archive or an OCI layout; `--ci` checks them
// against thresholds the way `dive --ci` does.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/analysis/bytesize.h"
#include "core/analysis/imageanalysis.h"
#include "core/analysis/imagesource.h"
#include "core/analysis/layerstep.h"
#include "core/common/controlcharacters.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <optional>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft inspect [--store DIR] [--layers] [--files] [--json]\n"
    "                          [--waste-model per-file|dive] [--no-cache] [--layer N]\n"
    "                          [--ci [--lowest-efficiency R] [--highest-wasted-bytes SIZE]\n"
    "                                [--highest-user-wasted-percent R]]\n"
    "                          REF|FILE|DIR[:NAME]\n"
    "\n"
    "Shows an image's layers (size as `docker history` counts it, compressed size,\n"
    "the step that made it), its total size, efficiency and wasted bytes (as dive\n"
    "computes them), the bytes a rewrite could reclaim and the files that waste the\n"
    "most. The image is a reference in the store, a `docker save` tarball or an OCI\n"
    "layout directory (NAME picks one image of a tarball or layout that holds\n"
    "several). Layer file lists are cached in the store, so opening an image again is\n"
    "instant.\n"
    "\n"
    "  --store DIR        the store (default $STAGECRAFT_STORE, else the user's data dir)\n"
    "  --layers           per layer, the full step and how many paths it added,\n"
    "                     modified and removed\n"
    "  --files            per layer, the paths it added (+), modified (~) and removed (-)\n"
    "  --json             one JSON object (see below) instead of text\n"
    "  --waste-model M    per-file (default): a removed directory wastes each file below\n"
    "                     it; dive: dive's rule to the letter (opaque directories and\n"
    "                     removed directories are not counted as waste)\n"
    "  --no-cache         neither read nor write the analysis caches (layer file lists\n"
    "                     and whole results, kept in the store)\n"
    "  --ci               check the thresholds, print PASS/FAIL per rule, exit 1 on a FAIL\n"
    "  --lowest-efficiency R            fail below this efficiency (default 0.9)\n"
    "  --highest-wasted-bytes SIZE      fail above this many wasted bytes: 20MB, 1.5GB,\n"
    "                                   512KiB or plain bytes (default disabled)\n"
    "  --highest-user-wasted-percent R  fail when wasted bytes / bytes of the layers on\n"
    "                                   top of the first exceed R (default 0.1)\n"
    "  Any threshold may be `disabled`.\n"
    "\n"
    "Wasted and reclaimable: a path written (or removed) in more than one layer has a\n"
    "version in each. Wasted (dive's figure) = the sum of all its versions' sizes, the\n"
    "copy the image keeps included. Reclaimable = wasted - the size of the version the\n"
    "image keeps (0 when the last layer to touch the path removed it): the bytes a\n"
    "Dockerfile that wrote each such path once, in its final form, would save.\n"
    "\n"
    "JSON: {image, id, wasteModel, layers: [{index, digest, diffId, size, compressedSize,\n"
    "createdBy, comment, added, modified, removed, files?}], totalSize, userSize,\n"
    "compressedSize, wastedBytes, reclaimableBytes, efficiency, userWastedPercent,\n"
    "inefficientFiles: [{path, count, wastedBytes, reclaimableBytes}], ci?}.\n"
    "added/modified/removed are path counts; with --files, `files` holds the lists\n"
    "({path, type, size}). Sizes are bytes, efficiency and userWastedPercent fractions\n"
    "(userWastedPercent is null when only the first layer holds bytes).\n"
    "\n"
    "--layer N steps to one layer (0 is the bottom): what it changed, \"layer 4 added\n"
    "863 MB: /usr/lib/go-1.19 (512 MB) …\", the files it added (+), modified (~) and\n"
    "removed (-) with their sizes, largest first (20, or all with --files), and the size\n"
    "delta on the filesystem. JSON: {image, layer, createdBy, layerSize, sizeDelta,\n"
    "headline, added: {files, bytes}, modified: {files, bytes, replacedBytes},\n"
    "removed: {paths, bytes}, largest: [{path, bytes, files}], changes: [{change, path,\n"
    "type, size}]}.\n"
    "\n"
    "Exit status: 0 ok, 1 a CI rule failed or the image cannot be read, 2 usage error.\n";

const QString kName = QStringLiteral("inspect");

struct CiRule
{
    QString name;
    QString threshold; // as given, or "disabled"
    enum class Status { Pass, Fail, Skip } status = Status::Skip;
    QString message;
};

QString statusName(CiRule::Status s)
{
    switch (s) {
    case CiRule::Status::Pass: return QStringLiteral("PASS");
    case CiRule::Status::Fail: return QStringLiteral("FAIL");
    case CiRule::Status::Skip: return QStringLiteral("SKIP");
    }
    return {};
}

bool isDisabled(const QString &value)
{
    return value.compare(QLatin1String("disabled"), Qt::CaseInsensitive) == 0;
}

// A fraction option ("0.95"); std::nullopt when disabled; an error message when invalid.
Expected<std::optional<double>> parseFraction(const QString &option, const QString &value)
{
    if (isDisabled(value))
        return std::optional<double>();
    bool ok = false;
    const double number = value.toDouble(&ok);
    if (!ok || !std::isfinite(number) || number < 0)
        return fail(
            QStringLiteral("%1 takes a number such as 0.9 or `disabled`, not '%2'").arg(option, value));
    return std::optional<double>(number);
}

QString number(double value)
{
    return QString::number(value, 'g', 6);
}

// The CI rules dive checks, with dive's defaults and comparisons.
Expected<QList<CiRule>> evaluateCi(const StoreArguments &args, const ImageAnalysis &analysis)
{
    QList<CiRule> rules;
    auto valueOf = [&](const QString &option, const char *defaultValue) {
        return args.has(option) ? args.value(option) : QString::fromLatin1(defaultValue);
    };

    CiRule efficiency{QStringLiteral("lowest-efficiency"),
                      valueOf(QStringLiteral("--lowest-efficiency"), "0.9"),
                      CiRule::Status::Skip,
                      {}};
    auto e = parseFraction(QStringLiteral("--lowest-efficiency"), efficiency.threshold);
    if (!e)
        return std::unexpected(e.error());
    if (!e->has_value()) {
        efficiency.message = QStringLiteral("rule disabled");
    } else if (**e > analysis.efficiency()) {
        efficiency.status = CiRule::Status::Fail;
        efficiency.message = QStringLiteral("image efficiency is too low (efficiency=%1 < threshold=%2)")
                                 .arg(number(analysis.efficiency()), number(**e));
    } else {
        efficiency.status = CiRule::Status::Pass;
    }
    rules.append(efficiency);

    CiRule wasted{QStringLiteral("highest-wasted-bytes"),
                  valueOf(QStringLiteral("--highest-wasted-bytes"), "disabled"),
                  CiRule::Status::Skip,
                  {}};
    if (isDisabled(wasted.threshold)) {
        wasted.message = QStringLiteral("rule disabled");
    } else {
        auto limit = parseByteSize(wasted.threshold);
        if (!limit)
            return fail(QStringLiteral("--highest-wasted-bytes: %1").arg(limit.error().message));
        if (analysis.wastedBytes() > *limit) {
            wasted.status = CiRule::Status::Fail;
            wasted.message = QStringLiteral("too many bytes wasted (wasted-bytes=%1 > threshold=%2)")
                                 .arg(analysis.wastedBytes())
                                 .arg(*limit);
        } else {
            wasted.status = CiRule::Status::Pass;
        }
    }
    rules.append(wasted);

    CiRule user{QStringLiteral("highest-user-wasted-percent"),
                valueOf(QStringLiteral("--highest-user-wasted-percent"), "0.1"),
                CiRule::Status::Skip,
                {}};
    auto u = parseFraction(QStringLiteral("--highest-user-wasted-percent"), user.threshold);
    if (!u)
        return std::unexpected(u.error());
    if (!u->has_value()) {
        user.message = QStringLiteral("rule disabled");
    } else if (**u < analysis.userWastedPercent()) {
        user.status = CiRule::Status::Fail;
        user.message = QStringLiteral("too many bytes wasted, relative to the user bytes added "
                                      "(%-user-wasted-bytes=%1 > threshold=%2)")
                           .arg(number(analysis.userWastedPercent()), number(**u));
    } else {
        user.status = CiRule::Status::Pass;
    }
    rules.append(user);
    return rules;
}

bool ciPassed(const QList<CiRule> &rules)
{
    for (const CiRule &r : rules)
        if (r.status == CiRule::Status::Fail)
            return false;
    return true;
}

// The image named by the argument: an OCI layout directory, a docker-archive file
// (either optionally followed by ":NAME"), or else a reference in the store.
QString shortDigest(const QString &digest)
{
    const qsizetype colon = digest.indexOf(u':');
    return digest.mid(colon + 1, 12);
}

QString step(const LayerReport &layer)
{
    if (!layer.createdBy.isEmpty())
        return layer.createdBy;
    return layer.comment.isEmpty() ? QStringLiteral("(no history)") : u'(' + layer.comment + u')';
}

QJsonArray changesJson(const QList<FileChange> &changes)
{
    QJsonArray out;
    for (const FileChange &c : changes)
        out.append(QJsonObject{{QStringLiteral("path"), c.path},
                               {QStringLiteral("type"), entryTypeName(c.type)},
                               {QStringLiteral("size"), c.size}});
    return out;
}

QString percent(double fraction)
{
    return QString::number(fraction * 100.0, 'f', 2) + QStringLiteral(" %");
}

QString bytes(qint64 n)
{
    return QStringLiteral("%1 (%2 bytes)").arg(formatByteSize(n)).arg(n);
}

void printText(const QString &argument, const Image &image, const ImageAnalysis &analysis, bool layersDetail,
               bool files)
{
    QString out;
    out += QStringLiteral("Image: %1 (id %2)\n\n").arg(argument, shortDigest(image.id().toString()));
    out += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
               .arg(QStringLiteral("#"), -3)
               .arg(QStringLiteral("SIZE"), 8)
               .arg(QStringLiteral("BYTES"), 11)
               .arg(QStringLiteral("STORED"), 8)
               .arg(QStringLiteral("DIFF ID"), -12)
               .arg(QStringLiteral("CREATED BY"));
    for (const LayerReport &l : analysis.layers()) {
        out += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                   .arg(l.index, -3)
                   .arg(formatByteSize(l.size), 8)
                   .arg(l.size, 11)
                   .arg(formatByteSize(l.compressedSize), 8)
                   .arg(shortDigest(l.diffId), -12)
                   .arg(oneLineField(step(l), layersDetail ? 0 : 70));
        if (layersDetail)
            out += QStringLiteral("     %1 added, %2 modified, %3 removed; %4 entries\n")
                       .arg(l.changes.added.size())
                       .arg(l.changes.modified.size())
                       .arg(l.changes.removed.size())
                       .arg(l.entryCount);
    }
    out += u'\n';
    out += QStringLiteral("Total size:   %1 in %2 layers, %3 stored\n")
               .arg(bytes(analysis.totalSize()))
               .arg(analysis.layers().size())
               .arg(formatByteSize(analysis.compressedSize()));
    out += QStringLiteral("Efficiency:   %1\n").arg(percent(analysis.efficiency()));
    out += QStringLiteral("Wasted:       %1\n").arg(bytes(analysis.wastedBytes()));
    out += QStringLiteral("Reclaimable:  %1 (wasted minus the copies the image keeps)\n")
               .arg(bytes(analysis.reclaimableBytes()));
    if (std::isfinite(analysis.userWastedPercent()))
        out += QStringLiteral("User wasted:  %1 of the %2 added on top of the first layer\n")
                   .arg(percent(analysis.userWastedPercent()), formatByteSize(analysis.userSize()));
    else
        out += QStringLiteral("User wasted:  all of it (the layers on top of the first add no bytes)\n");

    const QList<InefficientFile> &wasted = analysis.inefficientFiles();
    if (!wasted.isEmpty()) {
        out += QStringLiteral("\nWasted space, largest first:\n%1  %2  %3  %4\n")
                   .arg(QStringLiteral("COUNT"), 5)
                   .arg(QStringLiteral("WASTED"), 9)
                   .arg(QStringLiteral("RECLAIMABLE"), 11)
                   .arg(QStringLiteral("PATH"));
        const int shown = files ? int(wasted.size()) : qMin<int>(10, int(wasted.size()));
        for (int i = 0; i < shown; ++i)
            out += QStringLiteral("%1  %2  %3  %4\n")
                       .arg(wasted[i].count, 5)
                       .arg(formatByteSize(wasted[i].wastedBytes), 9)
                       .arg(formatByteSize(wasted[i].reclaimableBytes), 11)
                       .arg(escapeControlCharacters(wasted[i].path));
        if (shown < wasted.size())
            out += QStringLiteral("  ... and %1 more (--files lists all)\n").arg(wasted.size() - shown);
    }

    if (files) {
        for (const LayerReport &l : analysis.layers()) {
            out += QStringLiteral("\nLayer %1: %2\n").arg(l.index).arg(oneLineField(step(l), 100));
            auto list = [&out](const QList<FileChange> &changes, QChar mark) {
                for (const FileChange &c : changes) {
                    out += QStringLiteral("  %1 %2  %3%4\n")
                               .arg(mark)
                               .arg(formatByteSize(c.size), 8)
                               .arg(escapeControlCharacters(c.path))
                               .arg(c.type == EntryType::Directory ? QStringLiteral("/") : QString());
                }
            };
            list(l.changes.added, u'+');
            list(l.changes.modified, u'~');
            list(l.changes.removed, u'-');
            if (l.changes.added.isEmpty() && l.changes.modified.isEmpty() && l.changes.removed.isEmpty())
                out += QStringLiteral("  (no changes)\n");
        }
    }
    printOut(out);
}

QJsonObject toJson(const QString &argument, const Image &image, const ImageAnalysis &analysis, bool files)
{
    QJsonArray layers;
    for (const LayerReport &l : analysis.layers()) {
        QJsonObject o{{QStringLiteral("index"), l.index},
                      {QStringLiteral("digest"), l.digest},
                      {QStringLiteral("diffId"), l.diffId},
                      {QStringLiteral("size"), l.size},
                      {QStringLiteral("compressedSize"), l.compressedSize},
                      {QStringLiteral("createdBy"), l.createdBy},
                      {QStringLiteral("comment"), l.comment},
                      {QStringLiteral("added"), l.changes.added.size()},
                      {QStringLiteral("modified"), l.changes.modified.size()},
                      {QStringLiteral("removed"), l.changes.removed.size()}};
        if (files)
            o.insert(QStringLiteral("files"),
                     QJsonObject{{QStringLiteral("added"), changesJson(l.changes.added)},
                                 {QStringLiteral("modified"), changesJson(l.changes.modified)},
                                 {QStringLiteral("removed"), changesJson(l.changes.removed)}});
        layers.append(o);
    }
    QJsonArray inefficient;
    for (const InefficientFile &f : analysis.inefficientFiles())
        inefficient.append(QJsonObject{{QStringLiteral("path"), f.path},
                                       {QStringLiteral("count"), f.count},
                                       {QStringLiteral("wastedBytes"), f.wastedBytes},
                                       {QStringLiteral("reclaimableBytes"), f.reclaimableBytes}});
    return QJsonObject{
        {QStringLiteral("image"), argument},
        {QStringLiteral("id"), image.id().toString()},
        {QStringLiteral("wasteModel"),
         analysis.wasteModel() == WasteModel::Dive ? QStringLiteral("dive") : QStringLiteral("per-file")},
        {QStringLiteral("layers"), layers},
        {QStringLiteral("totalSize"), analysis.totalSize()},
        {QStringLiteral("userSize"), analysis.userSize()},
        {QStringLiteral("compressedSize"), analysis.compressedSize()},
        {QStringLiteral("wastedBytes"), analysis.wastedBytes()},
        {QStringLiteral("reclaimableBytes"), analysis.reclaimableBytes()},
        {QStringLiteral("efficiency"), analysis.efficiency()},
        {QStringLiteral("userWastedPercent"), std::isfinite(analysis.userWastedPercent())
                                                  ? QJsonValue(analysis.userWastedPercent())
                                                  : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("inefficientFiles"), inefficient},
    };
}

// One layer as a step of the build: its headline, counts, largest trees and changes.
void printLayerStep(const QString &argument, const ImageAnalysis &analysis, int layer, bool all, bool json)
{
    const LayerStep step = LayerStep::of(analysis, layer);
    const LayerDiff &diff = analysis.layers().at(layer).changes;
    struct Change
    {
        QChar mark;
        const FileChange *change;
    };
    QList<Change> changes;
    for (const FileChange &c : diff.added)
        changes.append({u'+', &c});
    for (const FileChange &c : diff.modified)
        changes.append({u'~', &c});
    for (const FileChange &c : diff.removed)
        changes.append({u'-', &c});
    // Files before directories of the same size: a directory's size is what lies below it.
    std::stable_sort(changes.begin(), changes.end(),
                     [](const Change &a, const Change &b) { return a.change->size > b.change->size; });
    if (json) {
        QJsonArray largest, list;
        for (const ChangedTree &t : step.largest)
            largest.append(QJsonObject{{QStringLiteral("path"), t.path},
                                       {QStringLiteral("bytes"), t.bytes},
                                       {QStringLiteral("files"), t.files}});
        for (const Change &c : std::as_const(changes))
            list.append(QJsonObject{{QStringLiteral("change"), c.mark == u'+'   ? QStringLiteral("added")
                                                               : c.mark == u'~' ? QStringLiteral("modified")
                                                                                : QStringLiteral("removed")},
                                    {QStringLiteral("path"), c.change->path},
                                    {QStringLiteral("type"), entryTypeName(c.change->type)},
                                    {QStringLiteral("size"), c.change->size}});
        const QJsonObject o{
            {QStringLiteral("image"), argument},
            {QStringLiteral("layer"), layer},
            {QStringLiteral("createdBy"), step.createdBy},
            {QStringLiteral("layerSize"), step.layerSize},
            {QStringLiteral("sizeDelta"), step.sizeDelta()},
            {QStringLiteral("headline"), step.headline()},
            {QStringLiteral("added"), QJsonObject{{QStringLiteral("files"), step.addedFiles},
                                                  {QStringLiteral("bytes"), step.addedBytes}}},
            {QStringLiteral("modified"),
             QJsonObject{{QStringLiteral("files"), step.modifiedFiles},
                         {QStringLiteral("bytes"), step.modifiedBytes},
                         {QStringLiteral("replacedBytes"), step.modifiedBytesWas}}},
            {QStringLiteral("removed"), QJsonObject{{QStringLiteral("paths"), step.removedPaths},
                                                    {QStringLiteral("bytes"), step.removedBytes}}},
            {QStringLiteral("largest"), largest},
            {QStringLiteral("changes"), list}};
        printOut(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)));
        return;
    }
    QString out = step.headline() + u'\n';
    out += QStringLiteral("  created by: %1\n").arg(oneLineField(step.createdBy, 200));
    out += QStringLiteral("  layer size %1; added %2 in %3 files, modified %4 in %5 files (was %6), "
                          "removed %7 in %8 paths\n")
               .arg(formatByteSize(step.layerSize), formatByteSize(step.addedBytes))
               .arg(step.addedFiles)
               .arg(formatByteSize(step.modifiedBytes))
               .arg(step.modifiedFiles)
               .arg(formatByteSize(step.modifiedBytesWas), formatByteSize(step.removedBytes))
               .arg(step.removedPaths);
    if (!step.largest.isEmpty()) {
        out += QStringLiteral("\nLargest trees it wrote:\n");
        for (const ChangedTree &t : step.largest)
            out += QStringLiteral("  %1  %2 (%3 files)\n")
                       .arg(formatByteSize(t.bytes), 9)
                       .arg(escapeControlCharacters(t.path))
                       .arg(t.files);
    }
    out += QStringLiteral("\nChanges, largest first:\n");
    const qsizetype shown = all ? changes.size() : std::min<qsizetype>(20, changes.size());
    for (qsizetype i = 0; i < shown; ++i)
        out += QStringLiteral("  %1 %2  %3%4\n")
                   .arg(changes[i].mark)
                   .arg(formatByteSize(changes[i].change->size), 9)
                   .arg(escapeControlCharacters(changes[i].change->path))
                   .arg(changes[i].change->type == EntryType::Directory ? QStringLiteral("/") : QString());
    if (shown < changes.size())
        out += QStringLiteral("  ... and %1 more (--files lists all)\n").arg(changes.size() - shown);
    if (changes.isEmpty())
        out += QStringLiteral("  (none: the step changed only the configuration)\n");
    printOut(out);
}

int runInspect(const QStringList &argv)
{
    auto args = StoreArguments::parse(
        argv,
        {QStringLiteral("--waste-model"), QStringLiteral("--lowest-efficiency"),
         QStringLiteral("--highest-wasted-bytes"), QStringLiteral("--highest-user-wasted-percent"),
         QStringLiteral("--layer")},
        {QStringLiteral("--layers"), QStringLiteral("--files"), QStringLiteral("--json"),
         QStringLiteral("--ci"), QStringLiteral("--no-cache")});
    if (!args)
        return usageError(kName, args.error().message);
    if (args->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (args->positional().size() != 1)
        return usageError(kName,
                          QStringLiteral("give one image: a store reference, a docker-archive file or an "
                                         "OCI layout directory"));
    const bool ci = args->has(QStringLiteral("--ci"));
    for (const char *option :
         {"--lowest-efficiency", "--highest-wasted-bytes", "--highest-user-wasted-percent"}) {
        if (!ci && args->has(QString::fromLatin1(option)))
            return usageError(kName,
                              QStringLiteral("%1 is a --ci threshold; add --ci").arg(QLatin1String(option)));
    }
    AnalysisOptions options;
    if (args->has(QStringLiteral("--waste-model"))) {
        const QString model = args->value(QStringLiteral("--waste-model"));
        if (model == QLatin1String("dive"))
            options.wasteModel = WasteModel::Dive;
        else if (model != QLatin1String("per-file"))
            return usageError(kName,
                              QStringLiteral("--waste-model is per-file or dive, not '%1'").arg(model));
    }

    const QString argument = args->positional().first();
    // The analysis caches live in the store even when the image comes from a file;
    // without a usable store the layers are simply read again.
    auto store = args->openStore();
    auto opened = ImageSource::analyse(argument, store ? &*store : nullptr, options,
                                       !args->has(QStringLiteral("--no-cache")));
    if (!opened)
        return commandError(kName, QStringLiteral("%1: %2").arg(argument, opened.error().message));
    for (const QString &problem : opened->stats.cacheProblems)
        printErr(QStringLiteral("stagecraft inspect: warning: analysis cache: %1\n").arg(problem));
    const Image *image = &opened->image;
    const ImageAnalysis &analysis = *opened->analysis;

    QList<CiRule> rules;
    if (ci) {
        auto evaluated = evaluateCi(*args, analysis);
        if (!evaluated)
            return usageError(kName, evaluated.error().message);
        rules = *evaluated;
    }

    const bool files = args->has(QStringLiteral("--files"));
    if (args->has(QStringLiteral("--layer"))) {
        bool ok = false;
        const int layer = args->value(QStringLiteral("--layer")).toInt(&ok);
        if (!ok || layer < 0 || layer >= analysis.layers().size())
            return usageError(
                kName,
                QStringLiteral("--layer takes a layer index from 0 to %1").arg(analysis.layers().size() - 1));
        printLayerStep(argument, analysis, layer, files, args->has(QStringLiteral("--json")));
        return 0;
    }
    if (args->has(QStringLiteral("--json"))) {
        QJsonObject json = toJson(argument, *image, analysis, files);
        if (ci) {
            QJsonArray ruleArray;
            for (const CiRule &r : std::as_const(rules))
                ruleArray.append(QJsonObject{{QStringLiteral("name"), r.name},
                                             {QStringLiteral("threshold"), r.threshold},
                                             {QStringLiteral("status"), statusName(r.status)},
                                             {QStringLiteral("message"), r.message}});
            json.insert(QStringLiteral("ci"), QJsonObject{{QStringLiteral("pass"), ciPassed(rules)},
                                                          {QStringLiteral("rules"), ruleArray}});
        }
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
    } else {
        printText(argument, *image, analysis, args->has(QStringLiteral("--layers")), files);
        if (ci) {
            QString out = QStringLiteral("\nCI results:\n");
            int pass = 0, failCount = 0, skip = 0;
            for (const CiRule &r : std::as_const(rules)) {
                out +=
                    QStringLiteral("  %1: %2 (threshold %3)").arg(statusName(r.status), r.name, r.threshold);
                if (!r.message.isEmpty() && r.status != CiRule::Status::Skip)
                    out += QStringLiteral(": ") + r.message;
                out += u'\n';
                (r.status == CiRule::Status::Pass   ? pass
                 : r.status == CiRule::Status::Fail ? failCount
                                                    : skip)++;
            }
            out += QStringLiteral("Result: %1 [Total:%2] [Passed:%3] [Failed:%4] [Skipped:%5]\n")
                       .arg(ciPassed(rules) ? QStringLiteral("PASS") : QStringLiteral("FAIL"))
                       .arg(rules.size())
                       .arg(pass)
                       .arg(failCount)
                       .arg(skip);
            printOut(out);
        }
    }
    return ci && !ciPassed(rules) ? 1 : 0;
}

const CommandRegistration reg{{QStringLiteral("inspect"),
                               QStringLiteral("show an image's layers, sizes and wasted space (like dive)"),
                               runInspect}};

} // namespace

} // namespace stagecraft::app
