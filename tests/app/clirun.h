// Runs the stagecraft executable the way a person types it, on one store, for the CLI
// tests: the subcommand first, then `--store STORE`, then the rest.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace stagecraft::test {

struct CliResult
{
    int status = -1; // -1: crashed or did not end within two minutes
    QByteArray out;
    QByteArray err;
};

inline CliResult runStagecraft(const QString &store, const QStringList &args, const QByteArray &input = {})
{
    QProcess p;
    p.start(QStringLiteral(STAGECRAFT_BIN),
            QStringList{args.first(), QStringLiteral("--store"), store} + args.mid(1));
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

} // namespace stagecraft::test
