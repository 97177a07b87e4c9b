// File → Import Classroom Kit: a kit of a small FROM scratch lesson imported through the
// dialog (on its worker thread) into an empty store, the example offered to open; a
// truncated kit refused with the reason shown; Check Kit lists a complete kit's example as
// covered and, for a kit missing a step's result, names the step that would run.
#include "core/kit/classroomkit.h"
#include "partialkit.h"
#include "ui/kitimportdialog.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;
using namespace stagecraft::ui;

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class TestKitImportDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void importsAndOffersTheExamples();
    void truncatedKitIsRefused();
    void checkListsTheCoverage();

private:
    // A kit of one FROM scratch example (no sandbox needed) at `dir`/lesson.kit.
    QString makeKit(const QTemporaryDir &dir);
};

QString TestKitImportDialog::makeKit(const QTemporaryDir &dir)
{
    const QString example = dir.filePath(QStringLiteral("hello"));
    if (!writeFile(example + QStringLiteral("/Dockerfile"),
                   "FROM scratch\nCOPY greeting.txt /\nCMD [\"/hello\"]\n") ||
        !writeFile(example + QStringLiteral("/greeting.txt"), "hello, class\n") ||
        !writeFile(example + QStringLiteral("/LESSON.md"), "# Lesson one\n"))
        return {};
    auto store = ImageStore::open(dir.filePath(QStringLiteral("teacher")));
    if (!store)
        return {};
    const QString kit = dir.filePath(QStringLiteral("lesson.kit"));
    auto written = ClassroomKit::write(*store, {example}, kit);
    if (!written)
        qWarning("%s", qPrintable(written.error().message));
    return written ? kit : QString();
}

void TestKitImportDialog::importsAndOffersTheExamples()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString kit = makeKit(dir);
    QVERIFY(!kit.isEmpty());
    KitImportDialog dialog(dir.filePath(QStringLiteral("student")));
    dialog.setKitFile(kit);
    dialog.setExamplesDir(dir.filePath(QStringLiteral("class")));
    QSignalSpy finished(&dialog, &KitImportDialog::importFinished);
    QSignalSpy chosen(&dialog, &KitImportDialog::exampleChosen);
    dialog.show();
    dialog.startImport();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().toBool(), true);
    auto *examples = dialog.findChild<QListWidget *>(QStringLiteral("kitExamples"));
    QVERIFY(examples);
    QCOMPARE(examples->count(), 1);
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("class/hello/LESSON.md"))));
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("kitStatus"));
    QVERIFY2(status->text().contains(QStringLiteral("cache of 2 steps")), qPrintable(status->text()));
    QTest::qWait(50); // the status label's new height is laid out
    if (const QByteArray shot = qgetenv("STAGECRAFT_SCREENSHOT_DIR"); !shot.isEmpty())
        dialog.grab().save(QString::fromLocal8Bit(shot) + QStringLiteral("/kitimportdialog.png"));
    Q_EMIT examples->itemActivated(examples->item(0));
    QCOMPARE(chosen.size(), 1);
    QCOMPARE(chosen.first().first().toString(), dir.filePath(QStringLiteral("class/hello/Dockerfile")));
    auto store = ImageStore::open(dir.filePath(QStringLiteral("student")));
    QVERIFY(store);
    QCOMPARE(QDir(store->cacheDir(QStringLiteral("build"))).entryList(QDir::Files).size(), 2);
}

void TestKitImportDialog::truncatedKitIsRefused()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString kit = makeKit(dir);
    QVERIFY(!kit.isEmpty());
    QVERIFY(QFile::resize(kit, QFileInfo(kit).size() / 2));
    KitImportDialog dialog(dir.filePath(QStringLiteral("student")));
    dialog.setKitFile(kit);
    QSignalSpy finished(&dialog, &KitImportDialog::importFinished);
    dialog.startImport();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().toBool(), false);
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("kitStatus"));
    QVERIFY2(status->text().contains(QStringLiteral("is refused")), qPrintable(status->text()));
    QCOMPARE(dialog.findChild<QListWidget *>(QStringLiteral("kitExamples"))->count(), 0);
}

void TestKitImportDialog::checkListsTheCoverage()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString kit = makeKit(dir);
    QVERIFY(!kit.isEmpty());
    // The same kit without the COPY step's result.
    auto opened = ClassroomKit::open(kit, dir.filePath(QStringLiteral("scratch")));
    QVERIFY(opened);
    QString copyKey;
    for (const BuildStepKey &step : opened->examples().first().plan)
        if (step.instruction.startsWith(QLatin1String("COPY")))
            copyKey = step.key;
    QVERIFY(!copyKey.isEmpty());
    const QString partial = dir.filePath(QStringLiteral("partial.kit"));
    const QString made = test::makePartialKit(kit, partial, {copyKey}, {});
    QVERIFY2(made.isEmpty(), qPrintable(made));

    for (const bool complete : {true, false}) {
        KitImportDialog dialog(dir.filePath(QStringLiteral("student")));
        dialog.setKitFile(complete ? kit : partial);
        QSignalSpy checked(&dialog, &KitImportDialog::checkFinished);
        dialog.resize(720, 360);
        dialog.show();
        dialog.startCheck();
        QVERIFY(checked.wait(60000));
        QCOMPARE(checked.first().first().toBool(), true);
        auto *examples = dialog.findChild<QListWidget *>(QStringLiteral("kitExamples"));
        QCOMPARE(examples->count(), complete ? 1 : 2); // the missing step under its example
        const QString text = examples->item(0)->text();
        const QString status = dialog.findChild<QLabel *>(QStringLiteral("kitStatus"))->text();
        if (complete) {
            QVERIFY2(text.contains(QStringLiteral("covered: builds fully cached offline")), qPrintable(text));
            QVERIFY2(status.startsWith(QStringLiteral("1 of 1 examples")), qPrintable(status));
        } else {
            QVERIFY2(text.contains(QStringLiteral("steps would run (offline)")), qPrintable(text));
            QCOMPARE(examples->item(0)->toolTip(), QStringLiteral("Line 2: COPY greeting.txt / — would run"));
            QCOMPARE(examples->item(1)->text().trimmed(),
                     QStringLiteral("Line 2: COPY greeting.txt / — would run"));
            QVERIFY(!(examples->item(1)->flags() & Qt::ItemIsSelectable));
            QVERIFY2(status.startsWith(QStringLiteral("0 of 1 examples")), qPrintable(status));
            QTest::qWait(50);
            if (const QByteArray shot = qgetenv("STAGECRAFT_SCREENSHOT_DIR"); !shot.isEmpty())
                dialog.grab().save(QString::fromLocal8Bit(shot) + QStringLiteral("/kitcheck.png"));
        }
        // Nothing was imported by a check.
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("student/cache/build"))) ||
                QDir(dir.filePath(QStringLiteral("student/cache/build"))).isEmpty());
    }
}

QTEST_MAIN(TestKitImportDialog)
#include "tst_kitimportdialog.moc"
