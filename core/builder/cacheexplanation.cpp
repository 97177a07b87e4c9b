#include "core/builder/cacheexplanation.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QSaveFile>

namespace stagecraft {

namespace {

constexpr int kVersion = 1;

QString shortened(const QString &text)
{
    constexpr qsizetype kShown = 160;
    const QString line = text.simplified();
    return line.size() > kShown ? line.left(kShown - 1) + QChar(0x2026) : line;
}

QJsonObject mapJson(const QMap<QString, QString> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

// A map of strings, or nullopt when the value is not one or passes the bounds.
std::optional<QMap<QString, QString>> readMap(const QJsonValue &value, qsizetype maxEntries)
{
    if (value.isUndefined())
        return QMap<QString, QString>();
    if (!value.isObject())
        return std::nullopt;
    const QJsonObject o = value.toObject();
    if (o.size() > maxEntries)
        return std::nullopt;
    QMap<QString, QString> map;
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        if (!it.value().isString() || it.key().size() > StepCacheRecord::kMaxText ||
            it.value().toString().size() > StepCacheRecord::kMaxText)
            return std::nullopt;
        map.insert(it.key(), it.value().toString());
    }
    return map;
}

bool readText(const QJsonObject &o, const char *name, QString &out)
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (v.isUndefined())
        return true;
    if (!v.isString() || v.toString().size() > StepCacheRecord::kMaxText)
        return false;
    out = v.toString();
    return true;
}

// "a, b and 3 more"
QString namedList(const QStringList &names)
{
    const qsizetype shown = std::min<qsizetype>(names.size(), CacheExplanation::kMaxNamedFiles);
    QString text = names.mid(0, shown).join(QStringLiteral(", "));
    if (names.size() > shown)
        text += QStringLiteral(" and %1 more").arg(names.size() - shown);
    return text;
}

// What changed between two maps: "X changed: a → b", "Y set to c", "Z unset (was d)".
QStringList mapChanges(const QMap<QString, QString> &before, const QMap<QString, QString> &after)
{
    QStringList changes;
    for (auto it = after.cbegin(); it != after.cend(); ++it) {
        const auto old = before.constFind(it.key());
        if (old == before.cend())
            changes.append(QStringLiteral("%1 set to %2").arg(it.key(), shortened(it.value())));
        else if (*old != it.value())
            changes.append(QStringLiteral("%1 changed: %2 \u2192 %3")
                               .arg(it.key(), shortened(*old), shortened(it.value())));
    }
    for (auto it = before.cbegin(); it != before.cend(); ++it)
        if (!after.contains(it.key()))
            changes.append(QStringLiteral("%1 unset (was %2)").arg(it.key(), shortened(it.value())));
    return changes;
}

// "main.go modified", "a.txt added, old.txt removed", "3 files modified: a, b, c".
QString fileChanges(const QMap<QString, QString> &before, const QMap<QString, QString> &after)
{
    QStringList added, removed, modified;
    for (auto it = after.cbegin(); it != after.cend(); ++it) {
        const auto old = before.constFind(it.key());
        if (old == before.cend())
            added.append(it.key());
        else if (*old != it.value())
            modified.append(it.key());
    }
    for (auto it = before.cbegin(); it != before.cend(); ++it)
        if (!after.contains(it.key()))
            removed.append(it.key());
    QStringList parts;
    const auto part = [&](const QStringList &names, const QString &what) {
        if (names.isEmpty())
            return;
        if (names.size() == 1)
            parts.append(names.first() + QLatin1Char(' ') + what);
        else
            parts.append(QStringLiteral("%1 files %2: %3").arg(names.size()).arg(what, namedList(names)));
    };
    part(modified, QStringLiteral("modified"));
    part(added, QStringLiteral("added"));
    part(removed, QStringLiteral("removed"));
    return parts.join(QStringLiteral("; "));
}

} // namespace

QByteArray StepCacheRecord::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("version"), kVersion);
    o.insert(QStringLiteral("key"), key);
    o.insert(QStringLiteral("parent"), parentKey);
    o.insert(QStringLiteral("instruction"), instruction.left(kMaxText));
    o.insert(QStringLiteral("expanded"), expanded.left(kMaxText));
    o.insert(QStringLiteral("args"), mapJson(args));
    o.insert(QStringLiteral("stages"), mapJson(stages));
    if (files.size() <= kMaxFiles)
        o.insert(QStringLiteral("files"), mapJson(files));
    o.insert(QStringLiteral("fileCount"), double(fileCount));
    o.insert(QStringLiteral("filesDigest"), filesDigest);
    o.insert(QStringLiteral("other"), otherInputs);
    o.insert(QStringLiteral("config"), config);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<StepCacheRecord> StepCacheRecord::fromJson(const QByteArray &json)
{
    if (json.size() > kMaxBytes)
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    if (o.value(QStringLiteral("version")).toInt(-1) != kVersion)
        return std::nullopt;
    StepCacheRecord r;
    if (!readText(o, "key", r.key) || !readText(o, "parent", r.parentKey) ||
        !readText(o, "instruction", r.instruction) || !readText(o, "expanded", r.expanded) ||
        !readText(o, "other", r.otherInputs) || !readText(o, "config", r.config) ||
        !readText(o, "filesDigest", r.filesDigest) || r.key.isEmpty())
        return std::nullopt;
    auto args = readMap(o.value(QStringLiteral("args")), kMaxEntries);
    auto stages = readMap(o.value(QStringLiteral("stages")), kMaxEntries);
    auto files = readMap(o.value(QStringLiteral("files")), kMaxFiles);
    if (!args || !stages || !files)
        return std::nullopt;
    r.args = *args;
    r.stages = *stages;
    r.files = *files;
    const double count = o.value(QStringLiteral("fileCount")).toDouble(-1);
    if (!(count >= 0 && count <= 1e12) || count < double(r.files.size()))
        return std::nullopt;
    r.fileCount = qsizetype(count);
    return r;
}

CacheMiss CacheExplanation::explain(const std::optional<StepCacheRecord> &previous,
                                    const StepCacheRecord &current, const QString &parentChangedBy,
                                    const QMap<QString, QString> &stageChangedBy, bool noCache)
{
    if (noCache)
        return {CacheMissKind::NoCache, QStringLiteral("--no-cache")};
    if (!previous)
        return {CacheMissKind::NoPreviousBuild, QStringLiteral("no previous build of this step")};
    const StepCacheRecord &before = *previous;
    if (before.key == current.key)
        return {CacheMissKind::ResultGone,
                QStringLiteral("the same inputs as last time, but the cached result is gone (pruned)")};

    // The step's own inputs first: what the user changed is the answer, the chain of
    // parents only when nothing of the step's own differs.
    if (before.instruction != current.instruction)
        return {CacheMissKind::Instruction,
                QStringLiteral("instruction changed: %1 \u2192 %2")
                    .arg(shortened(before.instruction), shortened(current.instruction))};
    if (before.args != current.args) {
        const QStringList changes = mapChanges(before.args, current.args);
        return {CacheMissKind::BuildArg,
                (changes.size() == 1 ? QStringLiteral("build arg ") : QStringLiteral("build args: ")) +
                    changes.join(QStringLiteral(", "))};
    }
    if (before.expanded != current.expanded)
        return {CacheMissKind::Expansion, QStringLiteral("expanded instruction changed: %1 \u2192 %2")
                                              .arg(shortened(before.expanded), shortened(current.expanded))};
    if (before.filesDigest != current.filesDigest) {
        const bool listed =
            before.files.size() == before.fileCount && current.files.size() == current.fileCount;
        const QString changes = listed ? fileChanges(before.files, current.files) : QString();
        if (!changes.isEmpty())
            return {CacheMissKind::ContextFiles, changes};
        return {CacheMissKind::ContextFiles,
                QStringLiteral("context files changed (%1 files read, too many to compare one by one)")
                    .arg(std::max(before.fileCount, current.fileCount))};
    }
    if (before.stages != current.stages) {
        QStringList names;
        for (auto it = current.stages.cbegin(); it != current.stages.cend(); ++it) {
            if (before.stages.value(it.key()) == it.value())
                continue;
            const QString by = stageChangedBy.value(it.key());
            names.append(by.isEmpty() ? it.key() : QStringLiteral("%1 (by %2)").arg(it.key(), by));
        }
        return {
            CacheMissKind::SourceStage,
            QStringLiteral("stage it reads changed: %1")
                .arg(names.isEmpty() ? QStringLiteral("(a stage it no longer reads)") : namedList(names))};
    }
    if (before.otherInputs != current.otherInputs)
        return {CacheMissKind::OtherInputs,
                QStringLiteral("other inputs changed (a download, an image it copies from, --chown's "
                               "users or the network)")};
    if (before.parentKey != current.parentKey)
        return {CacheMissKind::Parent, parentChangedBy.isEmpty()
                                           ? QStringLiteral("parent changed: the stage's base image changed")
                                           : QStringLiteral("parent changed: %1").arg(parentChangedBy)};
    if (before.config != current.config)
        return {CacheMissKind::Config, QStringLiteral("the image config it starts from changed")};
    return {CacheMissKind::OtherInputs, QStringLiteral("its inputs changed")};
}

QString CacheExplanation::identity(const QString &contextDir, const QString &dockerfile, const QString &stage,
                                   const QString &step)
{
    // The context's folder name, not its path: the same checkout elsewhere (or on another
    // machine, with an imported cache) finds its records; another project rarely shares
    // the folder name, the Dockerfile path and the stage names all at once.
    const QString context = QFileInfo(QDir::cleanPath(contextDir)).fileName();
    QString file = QDir(contextDir).relativeFilePath(dockerfile);
    if (file.startsWith(QStringLiteral("../")))
        file = QFileInfo(dockerfile).fileName();
    const QString text = QStringLiteral("stagecraft-step-v1\n") + context + QLatin1Char('\n') + file +
                         QLatin1Char('\n') + stage + QLatin1Char('\n') + step;
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex()) +
           QStringLiteral(".json");
}

std::optional<StepCacheRecord> CacheExplanation::load(const QString &dir, const QString &identity)
{
    const QString path = dir + QLatin1Char('/') + identity;
    const QFileInfo info(path);
    // Planted links and oversized files are ignored rather than followed or read whole.
    if (info.isSymLink() || !info.isFile() || info.size() > StepCacheRecord::kMaxBytes)
        return std::nullopt;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    return StepCacheRecord::fromJson(f.read(StepCacheRecord::kMaxBytes + 1));
}

void CacheExplanation::save(const QString &dir, const QString &identity, const StepCacheRecord &record)
{
    const QByteArray json = record.toJson();
    if (json.size() > StepCacheRecord::kMaxBytes)
        return;
    QSaveFile f(dir + QLatin1Char('/') + identity);
    if (f.open(QIODevice::WriteOnly)) {
        f.write(json);
        f.commit();
    }
    // Records are written only when a step runs, so the directory listing costs little
    // next to the step itself.
    QDir records(dir, QStringLiteral("*.json"), QDir::Time, QDir::Files);
    const QStringList names = records.entryList();
    if (names.size() > kMaxRecords)
        for (qsizetype i = kMaxRecords / 2; i < names.size(); ++i)
            records.remove(names[i]);
}

} // namespace stagecraft
