// The host check dialog: each check with its state, a failed one with its fix as text a
// person can copy; shown by itself only while something required is missing and not
// dismissed for the same findings.
#include "ui/hostcheckdialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QTextBrowser>
#include <QTranslator>
#include <QtTest>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

namespace {

QList<HostCheckResult> results(bool subordinateIdsOk)
{
    return {
        {u"user namespaces"_s, true, true, u"an ordinary process can create one"_s, {}},
        {u"subordinate ids"_s, subordinateIdsOk, true,
         subordinateIdsOk ? u"65536 ids from 100000"_s : u"no entry for scuser in /etc/subuid"_s,
         subordinateIdsOk ? QString() : u"sudo usermod --add-subuids 100000-165535 scuser"_s},
        {u"docker engine"_s, false, false, u"docker is not installed"_s, u"sudo apt install docker.io"_s},
    };
}

} // namespace

class TestHostCheckDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listsChecksWithFixes();
    void allFineSaysSo();
    void dontShowAgainUntilSomethingChanges();
    void screenshots();
};

void TestHostCheckDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("stagecraft-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_hostcheckdialog"));
    QSettings().clear();
}

void TestHostCheckDialog::listsChecksWithFixes()
{
    HostCheckDialog dialog(results(false));
    auto *list = dialog.findChild<QTextBrowser *>(u"hostCheckList"_s);
    QVERIFY(list);
    QStringList lines;
    for (const QString &line : list->toPlainText().split(u'\n'))
        lines.append(line.simplified());
    QVERIFY2(lines.contains(u"Missing subordinate ids"_s), qPrintable(list->toPlainText()));
    QVERIFY(list->toPlainText().contains(u"no entry for scuser in /etc/subuid"_s));
    // The fix is a line of its own, exactly the command, so it copies cleanly.
    QVERIFY(lines.contains(u"sudo usermod --add-subuids 100000-165535 scuser"_s));
    QVERIFY(lines.contains(u"OK user namespaces"_s));
    QVERIFY(lines.contains(u"Warning docker engine"_s));
    QVERIFY(list->textInteractionFlags() & Qt::TextSelectableByMouse);
    QVERIFY(dialog.findChild<QLabel *>(u"hostCheckSummary"_s)->text().contains(u"missing"_s));

    auto *copy = dialog.findChild<QPushButton *>(u"hostCheckCopy"_s);
    QVERIFY(copy && copy->isEnabled());
    copy->click();
    QCOMPARE(QApplication::clipboard()->text(),
             u"sudo usermod --add-subuids 100000-165535 scuser\nsudo apt install docker.io\n"_s);
}

void TestHostCheckDialog::allFineSaysSo()
{
    QList<HostCheckResult> fine = results(true);
    QVERIFY(!HostCheckDialog::needsAttention(fine)); // an optional failure only warns
    QVERIFY(!HostCheckDialog::shouldShow(fine));
    HostCheckDialog dialog(fine);
    QVERIFY(dialog.findChild<QLabel *>(u"hostCheckSummary"_s)->text().contains(u"in place"_s));
    QVERIFY(dialog.findChild<QCheckBox *>(u"hostCheckDontShow"_s)->isHidden());
}

void TestHostCheckDialog::dontShowAgainUntilSomethingChanges()
{
    QSettings().clear();
    const QList<HostCheckResult> missing = results(false);
    QVERIFY(HostCheckDialog::shouldShow(missing));
    {
        HostCheckDialog dialog(missing);
        dialog.findChild<QCheckBox *>(u"hostCheckDontShow"_s)->setChecked(true);
        dialog.reject();
    }
    QVERIFY(!HostCheckDialog::shouldShow(missing));
    // Something else breaks: shown again.
    QList<HostCheckResult> worse = missing;
    worse[0].ok = false;
    worse[0].fix = u"sudo sysctl kernel.unprivileged_userns_clone=1"_s;
    QVERIFY(HostCheckDialog::shouldShow(worse));
    {
        HostCheckDialog dialog(missing);
        QVERIFY(dialog.findChild<QCheckBox *>(u"hostCheckDontShow"_s)->isChecked());
        dialog.findChild<QCheckBox *>(u"hostCheckDontShow"_s)->setChecked(false);
        dialog.reject();
    }
    QVERIFY(HostCheckDialog::shouldShow(missing));
}

// German states; with STAGECRAFT_SCREENSHOTS set saved as /tmp/stagecraft-hostcheck-<language>.png.
void TestHostCheckDialog::screenshots()
{
    for (const QString &language : {u"en"_s, u"de"_s}) {
        QTranslator translator;
        if (language == u"de") {
            QVERIFY(translator.load(u":/i18n/stagecraft_de.qm"_s));
            QCoreApplication::installTranslator(&translator);
        }
        HostCheckDialog dialog(results(false));
        dialog.show();
        QVERIFY(dialog.width() <= 1024 && dialog.height() <= 768);
        const QString text = dialog.findChild<QTextBrowser *>(u"hostCheckList"_s)->toPlainText();
        if (language == u"de")
            QVERIFY2(text.contains(u"Fehlt"_s) && text.contains(u"Behebung:"_s), qPrintable(text));
        const QPixmap shot = dialog.grab();
        QVERIFY(!shot.isNull());
        if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS")) // to look at by eye
            shot.save(u"/tmp/stagecraft-hostcheck-%1.png"_s.arg(language));
        QCoreApplication::removeTranslator(&translator);
    }
}

QTEST_MAIN(TestHostCheckDialog)
#include "tst_hostcheckdialog.moc"
