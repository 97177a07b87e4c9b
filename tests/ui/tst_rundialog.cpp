// The Run dialog: EXPOSE pre-fills published ports, bad ports and variables are refused
// with a message while the dialog stays open, and the choices come back for the window
// to remember per image.
#include "ui/rundialog.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSettings>
#include <QTranslator>
#include <QtTest>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

class TestRunDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void portsFromExposed_data();
    void portsFromExposed();
    void refusesBadEntries_data();
    void refusesBadEntries();
    void acceptsAndConverts();
    void splitCommand_data();
    void splitCommand();
    void remembersPerImage();
    void fitsInGerman();
};

void TestRunDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("stagecraft-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_rundialog"));
    QSettings().clear();
}

void TestRunDialog::portsFromExposed_data()
{
    QTest::addColumn<QStringList>("exposed");
    QTest::addColumn<QStringList>("ports");
    QTest::addRow("privileged-port-moves-to-8000s") << QStringList{u"80/tcp"_s} << QStringList{u"8080:80"_s};
    QTest::addRow("1024-is-privileged") << QStringList{u"1024/tcp"_s} << QStringList{u"9024:1024"_s};
    QTest::addRow("high-port-kept") << QStringList{u"3000/tcp"_s} << QStringList{u"3000:3000"_s};
    QTest::addRow("udp") << QStringList{u"53/udp"_s} << QStringList{u"8053:53/udp"_s};
    QTest::addRow("several") << QStringList{u"443/tcp"_s, u"8080/tcp"_s}
                             << QStringList{u"8443:443"_s, u"8080:8080"_s};
    QTest::addRow("numeric-order") << QStringList{u"3000/tcp"_s, u"80/tcp"_s}
                                   << QStringList{u"8080:80"_s, u"3000:3000"_s};
    QTest::addRow("garbage-skipped") << QStringList{u"http/tcp"_s, u"0/tcp"_s} << QStringList{};
}

void TestRunDialog::portsFromExposed()
{
    QFETCH(QStringList, exposed);
    QFETCH(QStringList, ports);
    QCOMPARE(RunChoices::portsFromExposed(exposed), ports);
    // Every suggestion is one the dialog accepts.
    RunChoices initial;
    initial.ports = ports;
    RunDialog dialog(QStringLiteral("web"), initial);
    QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("runPorts"))->text(), ports.join(u", "_s));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.choices().ports, ports);
}

void TestRunDialog::refusesBadEntries_data()
{
    QTest::addColumn<QString>("ports");
    QTest::addColumn<QString>("env");
    QTest::addColumn<QString>("message"); // part of what the dialog says
    QTest::addRow("no-colon") << u"8080"_s << QString() << u"“8080” is not a port to publish"_s;
    QTest::addRow("zero") << u"0:80"_s << QString() << u"“0:80” is not a port"_s;
    QTest::addRow("too-big") << u"8080:70000"_s << QString() << u"“8080:70000”"_s;
    QTest::addRow("letters") << u"8080:80, web:80"_s << QString() << u"“web:80”"_s;
    QTest::addRow("bad-protocol") << u"8080:80/sctp"_s << QString() << u"“8080:80/sctp”"_s;
    QTest::addRow("twice") << u"8080:80 8080:81"_s << QString() << u"host port 8080 is published twice"_s;
    QTest::addRow("env-without-value") << u"8080:80"_s << u"DEBUG"_s << u"“DEBUG” is not an environment"_s;
    QTest::addRow("env-without-name") << QString() << u"A=1\n=2"_s << u"“=2”"_s;
    QTest::addRow("open-quote") << u"8080:80"_s << QString() << u"quote in the command is not closed"_s;
}

void TestRunDialog::refusesBadEntries()
{
    QFETCH(QString, ports);
    QFETCH(QString, env);
    QFETCH(QString, message);
    RunChoices initial;
    if (QByteArray(QTest::currentDataTag()) == "open-quote")
        initial.command = u"sh -c 'echo"_s;
    RunDialog dialog(QStringLiteral("web"), initial);
    dialog.show();
    auto *error = dialog.findChild<QLabel *>(QStringLiteral("runError"));
    QVERIFY(error);
    QVERIFY(!error->isVisible());
    auto *portsEdit = dialog.findChild<QLineEdit *>(QStringLiteral("runPorts"));
    QTest::keyClicks(portsEdit, ports);
    dialog.findChild<QPlainTextEdit *>(QStringLiteral("runEnv"))->setPlainText(env);
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(message), qPrintable(error->text()));
}

void TestRunDialog::acceptsAndConverts()
{
    RunDialog dialog(QStringLiteral("web"), RunChoices{});
    dialog.findChild<QLineEdit *>(QStringLiteral("runPorts"))->setText(u"8080:80, 127.0.0.1:5353:53/udp"_s);
    dialog.findChild<QPlainTextEdit *>(QStringLiteral("runEnv"))
        ->setPlainText(u"MODE=dev\n\n  GREETING=hello world\n"_s);
    dialog.findChild<QLineEdit *>(QStringLiteral("runCommand"))->setText(u"sh -c 'echo \"$GREETING\"'"_s);
    dialog.findChild<QCheckBox *>(QStringLiteral("runTerminal"))->setChecked(true);
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const RunChoices choices = dialog.choices();
    QVERIFY(choices.terminal);
    const Expected<ContainerOptions> options = choices.containerOptions(u"sha256:abc"_s);
    QVERIFY2(options, options ? "" : qPrintable(options.error().message));
    QCOMPARE(options->image, u"sha256:abc"_s);
    QCOMPARE(options->ports.size(), 2);
    QCOMPARE(options->ports[0].hostPort, 8080);
    QCOMPARE(options->ports[0].containerPort, 80);
    QVERIFY(options->ports[1].udp);
    QCOMPARE(options->env, (QStringList{u"MODE=dev"_s, u"GREETING=hello world"_s}));
    QCOMPARE(options->command, (QStringList{u"sh"_s, u"-c"_s, u"echo \"$GREETING\""_s}));
}

void TestRunDialog::splitCommand_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("words");
    QTest::addRow("plain") << u"  npm   run start "_s << QStringList{u"npm"_s, u"run"_s, u"start"_s};
    QTest::addRow("single-quotes") << u"sh -c 'echo $HOME \\'"_s
                                   << QStringList{u"sh"_s, u"-c"_s, u"echo $HOME \\"_s};
    QTest::addRow("double-quotes") << u"echo \"a \\\"b\\\" c\""_s << QStringList{u"echo"_s, u"a \"b\" c"_s};
    QTest::addRow("empty-word") << u"printf '' x"_s << QStringList{u"printf"_s, QString(), u"x"_s};
    QTest::addRow("backslash-space") << u"ls a\\ b"_s << QStringList{u"ls"_s, u"a b"_s};
    QTest::addRow("empty") << QString() << QStringList{};
}

void TestRunDialog::splitCommand()
{
    QFETCH(QString, text);
    QFETCH(QStringList, words);
    const std::optional<QStringList> split = RunChoices::splitCommand(text);
    QVERIFY(split);
    QCOMPARE(*split, words);
    QVERIFY(!RunChoices::splitCommand(text + u" 'open"_s));
}

void TestRunDialog::remembersPerImage()
{
    QVERIFY(!RunChoices::load(u"/src/web/Dockerfile#final"_s));
    RunChoices choices;
    choices.ports = {u"3000:3000"_s};
    choices.env = {u"A=1"_s};
    choices.command = u"npm start"_s;
    choices.terminal = true;
    choices.save(u"/src/web/Dockerfile#final"_s);
    const std::optional<RunChoices> loaded = RunChoices::load(u"/src/web/Dockerfile#final"_s);
    QVERIFY(loaded);
    QCOMPARE(loaded->ports, choices.ports);
    QCOMPARE(loaded->env, choices.env);
    QCOMPARE(loaded->command, choices.command);
    QVERIFY(loaded->terminal);
    QVERIFY(!RunChoices::load(u"/src/api/Dockerfile#final"_s));
}

// In German (the longer texts) the dialog fits a 1024×768 screen with an error shown;
// with STAGECRAFT_SCREENSHOTS set saved as /tmp/stagecraft-rundialog-<language>.png.
void TestRunDialog::fitsInGerman()
{
    for (const QString &language : {u"en"_s, u"de"_s}) {
        QTranslator translator;
        if (language == u"de") {
            QVERIFY(translator.load(u":/i18n/stagecraft_de.qm"_s));
            QCoreApplication::installTranslator(&translator);
        }
        RunChoices initial;
        initial.ports = RunChoices::portsFromExposed({u"80/tcp"_s, u"5432/tcp"_s});
        initial.env = {u"MODE=development"_s, u"DATABASE_URL=postgres://db:5432/app"_s};
        initial.terminal = true;
        RunDialog dialog(u"web (final)"_s, initial);
        dialog.findChild<QLineEdit *>(u"runPorts"_s)->setText(u"8080:80, 5432"_s);
        dialog.show();
        dialog.accept();
        QVERIFY(dialog.isVisible());
        QCoreApplication::processEvents();
        auto *error = dialog.findChild<QLabel *>(u"runError"_s);
        if (language == u"de")
            QVERIFY2(error->text().startsWith(u"„5432“ ist kein Port"_s), qPrintable(error->text()));
        dialog.adjustSize();
        QVERIFY(dialog.width() <= 1024 && dialog.height() <= 768);
        // The environment editor shows its two variables without scrolling.
        auto *env = dialog.findChild<QPlainTextEdit *>(u"runEnv"_s);
        QVERIFY(!env->verticalScrollBar()->isVisible());
        QVERIFY(error->height() >= error->heightForWidth(error->width()));
        const QPixmap shot = dialog.grab();
        QVERIFY(!shot.isNull());
        if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS")) // to look at by eye
            shot.save(u"/tmp/stagecraft-rundialog-%1.png"_s.arg(language));
        QCoreApplication::removeTranslator(&translator);
    }
}

QTEST_MAIN(TestRunDialog)
#include "tst_rundialog.moc"
