// The preferences dialog edits registries.conf, the file the command line reads mirrors
// from: valid text is saved, invalid text keeps the dialog open with the reason.
#include "core/registry/registrysettings.h"
#include "ui/preferencesdialog.h"

#include <QLabel>
#include <QPlainTextEdit>
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
};

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
