// The window's engine picker in German at 1024x768: both engines listed, the docker one
// marked unavailable with the reason and remedy when PATH has no docker client, and the
// choice remembered in the settings.
#include "ui/application.h"
#include "ui/enginepicker.h"

#include <QComboBox>
#include <QMainWindow>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolBar>
#include <QtTest>

using namespace stagecraft;
using namespace stagecraft::ui;

class TestEnginePicker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listsBothAndSaysWhyDockerIsNot();
};

void TestEnginePicker::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // QSettings go to a test location
    QVERIFY(installTranslations(QStringLiteral("de")));
}

void TestEnginePicker::listsBothAndSaysWhyDockerIsNot()
{
    QTemporaryDir emptyBin;
    QVERIFY(emptyBin.isValid());
    const QByteArray path = qgetenv("PATH");
    const QByteArray chosenClient = qgetenv("STAGECRAFT_DOCKER");
    qputenv("PATH", emptyBin.path().toLocal8Bit());
    qunsetenv("STAGECRAFT_DOCKER");

    QMainWindow window;
    window.resize(1024, 768);
    auto *picker = new EnginePicker;
    window.addToolBar(QStringLiteral("Main"))->addWidget(picker);
    Preferences preferences;
    preferences.engine = EngineKind::Embedded;
    QSignalSpy checked(picker, &EnginePicker::availabilityChecked);
    picker->setPreferences(preferences);
    QVERIFY(checked.wait(20000));
    qputenv("PATH", path);
    if (!chosenClient.isEmpty())
        qputenv("STAGECRAFT_DOCKER", chosenClient);

    auto *box = picker->findChild<QComboBox *>(QStringLiteral("engineBox"));
    QVERIFY(box);
    QCOMPARE(box->count(), 2);
    QCOMPARE(box->itemText(0), QStringLiteral("Eingebaut"));
    QCOMPARE(box->itemText(1), QStringLiteral("Docker (nicht verfügbar)"));
    QVERIFY(picker->isUsable(EngineKind::Embedded));
    QVERIFY(!picker->isUsable(EngineKind::Docker));
    const QString why = box->itemData(1, Qt::ToolTipRole).toString();
    QVERIFY2(why.contains(QStringLiteral("no docker client on PATH")), qPrintable(why));
    QVERIFY2(why.contains(QStringLiteral("apt-get install docker.io")), qPrintable(why)); // the remedy
    QCOMPARE(picker->availabilityText(EngineKind::Docker), why);

    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOT_DIR"))
        window.grab().save(qEnvironmentVariable("STAGECRAFT_SCREENSHOT_DIR") +
                           QStringLiteral("/enginepicker.png"));

    // Picking Docker is remembered for the next build and the next start.
    QSignalSpy chosen(picker, &EnginePicker::engineChosen);
    box->setCurrentIndex(1);
    QCOMPARE(chosen.size(), 1);
    QCOMPARE(picker->engine(), EngineKind::Docker);
    QCOMPARE(Preferences::load().engine, EngineKind::Docker);
    box->setCurrentIndex(0);
    QCOMPARE(Preferences::load().engine, EngineKind::Embedded);
}

QTEST_MAIN(TestEnginePicker)
#include "tst_enginepicker.moc"
