// The preferences dialog edits registries.conf, the file the command line reads mirrors
// from: valid text is saved, invalid text keeps the dialog open with the reason. The
// build engine is chosen there, and Check says whether it can build and why not.
#include "core/registry/registrysettings.h"
#include "ui/preferencesdialog.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace stagecraft;
using namespace stagecraft::ui;

class TestPreferencesDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsAndSavesMirrors();
    void refusesInvalidMirrors();
    void choosesTheEngine();
    void checksTheDockerEngine();
};

void TestPreferencesDialog::choosesTheEngine()
{
    QTemporaryDir dir;
    Preferences initial;
    initial.engine = EngineKind::Docker;
    initial.dockerHost = QStringLiteral("ssh://builder@build-server");
    PreferencesDialog dialog(initial, nullptr, dir.filePath(QStringLiteral("registries.conf")));
    auto *engine = dialog.findChild<QComboBox *>(QStringLiteral("engineBox"));
    auto *host = dialog.findChild<QLineEdit *>(QStringLiteral("dockerHostEdit"));
    auto *builder = dialog.findChild<QLineEdit *>(QStringLiteral("dockerBuilderEdit"));
    QVERIFY(engine && host && builder);
    QCOMPARE(host->text(), initial.dockerHost);
    QVERIFY(host->isEnabled());
    QTest::keyClicks(builder, QStringLiteral("k8s"));
    QCOMPARE(dialog.preferences().dockerOptions().builder, QStringLiteral("k8s"));
    QCOMPARE(dialog.preferences().dockerOptions().host, initial.dockerHost);

    engine->setCurrentIndex(engine->findData(engineKindName(EngineKind::Embedded)));
    QVERIFY(!host->isEnabled());
    QCOMPARE(dialog.preferences().engine, EngineKind::Embedded);
    QSignalSpy checked(&dialog, &PreferencesDialog::engineChecked);
    dialog.findChild<QPushButton *>(QStringLiteral("checkEngineButton"))->click();
    QCOMPARE(checked.size(), 1);
    QVERIFY(checked.first().at(0).toBool());
}

// Nothing listens on the socket: the status names it, in the dialog, without blocking it.
void TestPreferencesDialog::checksTheDockerEngine()
{
    const QString client = QFileInfo(QStringLiteral("/usr/bin/docker")).isExecutable()
                               ? QStringLiteral("/usr/bin/docker")
                               : QStandardPaths::findExecutable(QStringLiteral("docker"));
    if (client.isEmpty())
        QSKIP("no docker client (Debian: apt-get install docker.io)");
    qputenv("STAGECRAFT_DOCKER", client.toLocal8Bit());
    QTemporaryDir dir;
    qputenv("DOCKER_CONFIG", dir.filePath(QStringLiteral("docker-config")).toLocal8Bit());
    Preferences initial;
    initial.engine = EngineKind::Docker;
    initial.dockerHost = QStringLiteral("unix://") + dir.filePath(QStringLiteral("nobody.sock"));
    PreferencesDialog dialog(initial, nullptr, dir.filePath(QStringLiteral("registries.conf")));
    QSignalSpy checked(&dialog, &PreferencesDialog::engineChecked);
    auto *check = dialog.findChild<QPushButton *>(QStringLiteral("checkEngineButton"));
    check->click();
    QVERIFY(!check->isEnabled());
    QVERIFY(checked.wait(30000));
    QVERIFY(!checked.first().at(0).toBool());
    const QString status = dialog.findChild<QLabel *>(QStringLiteral("engineStatus"))->text();
    QVERIFY2(status.contains(dir.filePath(QStringLiteral("nobody.sock"))), qPrintable(status));
    QVERIFY(check->isEnabled());
    if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOT_DIR")) {
        dialog.resize(1024, 768);
        dialog.grab().save(qEnvironmentVariable("STAGECRAFT_SCREENSHOT_DIR") +
                           QStringLiteral("/preferences-engine.png"));
    }
}

void TestPreferencesDialog::showsAndSavesMirrors()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("registries.conf"));
    RegistrySettings initial;
    QVERIFY(
        initial.setMirror(QStringLiteral("docker.io"), QStringLiteral("http://127.0.0.1:5000")).has_value());
    QVERIFY(initial.save(path).has_value());

    PreferencesDialog dialog(Preferences{}, nullptr, path);
    auto *edit = dialog.findChild<QPlainTextEdit *>(QStringLiteral("registriesEdit"));
    QVERIFY(edit);
    QVERIFY(edit->toPlainText().contains(QStringLiteral("http://127.0.0.1:5000")));

    edit->clear();
    QTest::keyClicks(edit, QStringLiteral("docker.io = http://10.0.0.5:5000"));
    edit->appendPlainText(QStringLiteral("insecure = 10.0.0.5:5000"));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));

    const auto saved = RegistrySettings::load(path);
    QVERIFY(saved.has_value());
    QCOMPARE(saved->mirrors().value(QStringLiteral("docker.io")),
             QUrl(QStringLiteral("http://10.0.0.5:5000")));
    QVERIFY(saved->insecureHosts().contains(QStringLiteral("10.0.0.5:5000")));
}

void TestPreferencesDialog::refusesInvalidMirrors()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("registries.conf"));
    PreferencesDialog dialog(Preferences{}, nullptr, path);
    dialog.show();
    auto *edit = dialog.findChild<QPlainTextEdit *>(QStringLiteral("registriesEdit"));
    auto *error = dialog.findChild<QLabel *>(QStringLiteral("registriesError"));
    QVERIFY(edit && error);
    edit->setPlainText(QStringLiteral("docker.io http://nowhere\n"));
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QVERIFY2(error->text().contains(QStringLiteral("registries.conf:1")), qPrintable(error->text()));
    QVERIFY(!QFileInfo::exists(path));
}

QTEST_MAIN(TestPreferencesDialog)
#include "tst_preferencesdialog.moc"
