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

// The arguments exactly as given (commands without a store: `record show FILE`).
inline CliResult runStagecraftArgs(const QStringList &args, const QByteArray &input = {})
{
    QProcess p;
    p.start(QStringLiteral(STAGECRAFT_BIN), args);
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

inline CliResult runStagecraft(const QString &store, const QStringList &args, const QByteArray &input = {})
{
    return runStagecraftArgs(QStringList{args.first(), QStringLiteral("--store"), store} + args.mid(1),
                             input);
}

} // namespace stagecraft::test
