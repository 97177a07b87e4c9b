// stagecraft.1 as the build makes it (`stagecraft help-man`): a section for every command
// `stagecraft --help` lists, every option each command's --help names, the version, and
// a page man renders without warnings.
#include "clirun.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

using namespace stagecraft::test;

class TestCliManual : public QObject
{
    Q_OBJECT

private:
    static QString manual()
    {
        QFile file(QStringLiteral(STAGECRAFT_MANUAL));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QString::fromUtf8(file.readAll());
    }

    // The commands in `stagecraft --help`'s list ("  build     build an image…").
    static QStringList listedCommands()
    {
        const QString help = QString::fromUtf8(runStagecraftArgs({QStringLiteral("--help")}).out);
        const QString list =
            help.section(QStringLiteral("Commands:\n"), 1).section(QStringLiteral("\n\n"), 0, 0);
        QStringList names;
        static const QRegularExpression entry(QStringLiteral("^  ([a-z][a-z-]*) "),
                                              QRegularExpression::MultilineOption);
        auto it = entry.globalMatch(list);
        while (it.hasNext())
            names.append(it.next().captured(1));
        return names;
    }

private Q_SLOTS:
    void everyCommandHasASection_data()
    {
        QTest::addColumn<QString>("command");
        const QStringList commands = listedCommands();
        QVERIFY(commands.size() >= 10);
        QVERIFY(commands.contains(QStringLiteral("build")));
        for (const QString &c : commands)
            QTest::addRow("%s", qPrintable(c)) << c;
    }

    void everyCommandHasASection()
    {
        QFETCH(QString, command);
        const QString page = manual();
        QVERIFY2(!page.isEmpty(), STAGECRAFT_MANUAL " is missing or empty");
        QString escaped = command;
        escaped.replace(QLatin1Char('-'), QStringLiteral("\\-"));
        QVERIFY2(page.contains(QStringLiteral(".SS \"stagecraft %1\"\n").arg(escaped)),
                 qPrintable(QStringLiteral("no section for %1").arg(command)));

        // Each option its --help names (in the synopsis or the option list) is in the page,
        // with roff's minus signs.
        const CliResult help = runStagecraftArgs({command, QStringLiteral("--help")});
        QCOMPARE(help.status, 0);
        const QString text = QString::fromUtf8(help.out);
        QVERIFY(!text.isEmpty());
        static const QRegularExpression option(QStringLiteral("(?:^|[\\s\\[|,])(--?[A-Za-z][A-Za-z0-9-]*)"));
        QStringList options;
        for (const QString &line : text.split(QLatin1Char('\n'))) {
            // Synopsis lines and option-list lines; running text may quote other tools' flags.
            const bool synopsis =
                line.startsWith(QLatin1String("Usage:")) ||
                (line.startsWith(QLatin1String("       ")) && line.contains(QLatin1String("stagecraft")));
            const bool listEntry = QRegularExpression(QStringLiteral("^ {1,8}-")).match(line).hasMatch();
            if (!synopsis && !listEntry && !line.startsWith(QLatin1String("                        [")))
                continue;
            const QString part = listEntry ? line.trimmed().section(QStringLiteral("  "), 0, 0) : line;
            auto it = option.globalMatch(part);
            while (it.hasNext())
                options.append(it.next().captured(1));
        }
        options.removeDuplicates();
        for (QString o : std::as_const(options)) {
            const QString original = o;
            o.replace(QLatin1Char('-'), QStringLiteral("\\-"));
            QVERIFY2(page.contains(o),
                     qPrintable(QStringLiteral("%1 %2 is not in the page").arg(command, original)));
        }
    }

    void headerHasTheVersion()
    {
        const QString version =
            QString::fromUtf8(runStagecraftArgs({QStringLiteral("--version")}).out).trimmed();
        QVERIFY(version.startsWith(QLatin1String("stagecraft ")));
        QVERIFY2(manual().contains(QStringLiteral(".TH STAGECRAFT 1 \"\" \"%1\"").arg(version)),
                 qPrintable(manual().section(QLatin1Char('\n'), 0, 2)));
    }

    void hiddenCommandsStayOut()
    {
        QVERIFY(!manual().contains(QStringLiteral(".SS \"stagecraft help\\-man\"")));
        QVERIFY(!manual().contains(QStringLiteral(".SS \"stagecraft __complete\"")));
    }

    void manRendersItWithoutWarnings()
    {
        const QString man = QStandardPaths::findExecutable(QStringLiteral("man"));
        if (man.isEmpty())
            QSKIP("man (man-db) is not installed");
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("MANWIDTH"), QStringLiteral("80"));
        env.insert(QStringLiteral("MAN_KEEP_FORMATTING"), QString());
        p.setProcessEnvironment(env);
        p.start(man, {QStringLiteral("--warnings"), QStringLiteral("-P"), QStringLiteral("cat"),
                      QStringLiteral("-l"), QStringLiteral(STAGECRAFT_MANUAL)});
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        // Rendered text reads as --help does: options with plain hyphens.
        QVERIFY2(out.contains(QLatin1String("--target")), qPrintable(out.left(2000)));
        QVERIFY(out.contains(QLatin1String("COMMANDS")));
    }
};

QTEST_GUILESS_MAIN(TestCliManual)
#include "tst_cli_manual.moc"
