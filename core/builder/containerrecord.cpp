#include "core/builder/containerrecord.h"

#include "core/exec/rootfs.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <csignal>

namespace stagecraft {

namespace {

const QString configName = QStringLiteral("config.json");

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QStringList fromArray(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list.append(v.toString());
    return list;
}

std::optional<ContainerRecord> load(const QString &directory)
{
    QFile file(directory + u'/' + configName);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    ContainerRecord record;
    record.id = o.value(QStringLiteral("id")).toString();
    if (record.id != QDir(directory).dirName())
        return std::nullopt;
    record.image = o.value(QStringLiteral("image")).toString();
    record.command = fromArray(o.value(QStringLiteral("command")));
    record.ports = fromArray(o.value(QStringLiteral("ports")));
    record.created = QDateTime::fromString(o.value(QStringLiteral("created")).toString(), Qt::ISODate);
    record.pid = o.value(QStringLiteral("pid")).toInteger();
    if (o.contains(QStringLiteral("exitCode")))
        record.exitCode = o.value(QStringLiteral("exitCode")).toInt();
    record.removeWhenDone = o.value(QStringLiteral("rm")).toBool();
    return record;
}

} // namespace

QString ContainerRecord::containersDir(const ImageStore &store)
{
    return store.root() + QStringLiteral("/containers");
}

Expected<ContainerRecord> ContainerRecord::create(const ImageStore &store)
{
    ContainerRecord record;
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 8);
    record.id = QString::fromLatin1(bytes.toHex());
    record.created = QDateTime::currentDateTimeUtc();
    record.m_directory = containersDir(store) + u'/' + record.id;
    if (!QDir().mkpath(record.m_directory))
        return fail(QStringLiteral("cannot create %1").arg(record.m_directory));
    return record;
}

QList<ContainerRecord> ContainerRecord::list(const ImageStore &store)
{
    QList<ContainerRecord> records;
    const QString base = containersDir(store);
    for (const QString &name : QDir(base).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        std::optional<ContainerRecord> record = load(base + u'/' + name);
        if (!record)
            continue;
        record->m_directory = base + u'/' + name;
        records.append(*record);
    }
    std::sort(records.begin(), records.end(),
              [](const ContainerRecord &a, const ContainerRecord &b) { return a.created > b.created; });
    return records;
}

Expected<ContainerRecord> ContainerRecord::find(const ImageStore &store, const QString &idOrPrefix)
{
    QList<ContainerRecord> matches;
    for (const ContainerRecord &r : list(store))
        if (!idOrPrefix.isEmpty() && r.id.startsWith(idOrPrefix))
            matches.append(r);
    if (matches.isEmpty())
        return fail(QStringLiteral("no such container: %1").arg(idOrPrefix));
    if (matches.size() > 1)
        return fail(QStringLiteral("%1 names more than one container; give more of the id").arg(idOrPrefix));
    return matches.first();
}

QString ContainerRecord::logPath() const
{
    return m_directory + QStringLiteral("/log");
}

Expected<void> ContainerRecord::save() const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("image"), image},
                  {QStringLiteral("command"), toArray(command)},
                  {QStringLiteral("ports"), toArray(ports)},
                  {QStringLiteral("created"), created.toString(Qt::ISODateWithMs)},
                  {QStringLiteral("pid"), pid},
                  {QStringLiteral("rm"), removeWhenDone}};
    if (exitCode)
        o.insert(QStringLiteral("exitCode"), *exitCode);
    QSaveFile file(m_directory + u'/' + configName);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(o).toJson()) < 0 || !file.commit())
        return fail(QStringLiteral("cannot write %1").arg(file.fileName()));
    return {};
}

QString ContainerRecord::scratchDir() const
{
    return m_directory + QStringLiteral("/scratch");
}

Expected<void> ContainerRecord::remove() const
{
    if (m_directory.isEmpty())
        return fail(QStringLiteral("the container has no record to remove"));
    // Out of sight at once (a hidden name list() skips), however long the deleting takes.
    const QString removing =
        QFileInfo(m_directory).path() + QStringLiteral("/.") + id + QStringLiteral(".removing");
    if (!QDir().rename(m_directory, removing))
        return fail(QStringLiteral("cannot remove %1").arg(m_directory));
    Rootfs::removeScratch(removing + QStringLiteral("/scratch"));
    if (!QDir(removing).removeRecursively())
        return fail(QStringLiteral("cannot remove %1").arg(removing));
    return {};
}

bool ContainerRecord::isRunning() const
{
    if (exitCode || pid <= 0)
        return false;
    // The pid must still be the supervisor: a recycled pid runs something else.
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!cmdline.open(QIODevice::ReadOnly))
        return false;
    return cmdline.readAll().contains(id.toLatin1());
}

Expected<void> ContainerRecord::stop(const ImageStore &store, int grace)
{
    if (isRunning())
        ::kill(pid_t(pid), SIGTERM);
    QDeadlineTimer deadline(grace);
    while (isRunning() && !deadline.hasExpired()) {
        QThread::msleep(20);
        Expected<ContainerRecord> again = find(store, id);
        if (!again) {
            exitCode = 128 + SIGTERM; // --rm removed it
            return {};
        }
        *this = std::move(*again);
    }
    if (!isRunning())
        return {};
    ::kill(pid_t(pid), SIGKILL);
    return fail(
        QStringLiteral("%1 did not stop within %2 seconds; killed").arg(id.left(12)).arg(grace / 1000));
}

} // namespace stagecraft
