// `stagecraft ps`: the detached containers (`run -d`) that are running, or all with -a.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/builder/containerrecord.h"
#include "core/exec/usernetwork.h"

namespace stagecraft::app {

namespace {

const CommandSyntax kSyntax{
    .name = QStringLiteral("ps"),
    .usage = "Usage: stagecraft ps [--store DIR] [-a] [-q]\n"
             "\n"
             "Lists running containers started with `stagecraft run -d` (-a: also ended ones, with\n"
             "their exit status; -q: ids only).\n",
    .flags = {QStringLiteral("-a,--all"), QStringLiteral("-q,--quiet")},
    .maxPositional = 0,
    .positionalHint = QStringLiteral("ps takes no arguments")};

QString ago(const QDateTime &when)
{
    const qint64 seconds = when.secsTo(QDateTime::currentDateTimeUtc());
    if (seconds < 120)
        return QStringLiteral("%1 seconds ago").arg(seconds);
    if (seconds < 7200)
        return QStringLiteral("%1 minutes ago").arg(seconds / 60);
    return QStringLiteral("%1 hours ago").arg(seconds / 3600);
}

// Docker's form: 127.0.0.1:8080->80/tcp.
QString ports(const QStringList &forwards)
{
    QStringList shown;
    for (const QString &text : forwards)
        if (const Expected<PortForward> p = PortForward::parse(text))
            shown.append(QStringLiteral("%1:%2->%3/%4")
                             .arg(p->hostAddress)
                             .arg(p->hostPort)
                             .arg(p->containerPort)
                             .arg(p->udp ? QStringLiteral("udp") : QStringLiteral("tcp")));
    return shown.join(QStringLiteral(", "));
}

int runPs(const QStringList &args)
{
    return runStoreCommand(kSyntax, args, [](const StoreArguments &parsed, ImageStore &store) {
        const bool all = parsed.has(QStringLiteral("-a"));
        const bool quiet = parsed.has(QStringLiteral("-q"));
        if (!quiet)
            printOut(QStringLiteral("%1 %2 %3 %4 %5\n")
                         .arg(QStringLiteral("CONTAINER ID"), -13)
                         .arg(QStringLiteral("IMAGE"), -24)
                         .arg(QStringLiteral("COMMAND"), -24)
                         .arg(QStringLiteral("STATUS"), -24)
                         .arg(QStringLiteral("PORTS")));
        for (const ContainerRecord &record : ContainerRecord::list(store)) {
            const bool running = record.isRunning();
            if (!running && !all)
                continue;
            if (quiet) {
                printOut(record.id.left(12) + u'\n');
                continue;
            }
            QString command = record.command.join(u' ');
            if (command.size() > 22)
                command = command.left(21) + QStringLiteral("…");
            const QString status = running           ? QStringLiteral("Up since %1").arg(ago(record.created))
                                   : record.exitCode ? QStringLiteral("Exited (%1)").arg(*record.exitCode)
                                                     : QStringLiteral("Gone");
            printOut(QStringLiteral("%1 %2 %3 %4 %5\n")
                         .arg(record.id.left(12), -13)
                         .arg(record.image, -24)
                         .arg(QLatin1Char('"') + command + QLatin1Char('"'), -24)
                         .arg(status, -24)
                         .arg(running ? ports(record.ports) : QString()));
        }
        return 0;
    });
}

const CommandRegistration reg{
    {QStringLiteral("ps"), QStringLiteral("list containers started with run -d"), runPs}};

} // namespace

} // namespace stagecraft::app
