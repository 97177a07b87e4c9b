// File → Import Classroom Kit: a kit of a small FROM scratch lesson imported through the
// dialog (on its worker thread) into an empty store, the example offered to open; a
// truncated kit refused with the reason shown.
#include "core/kit/classroomkit.h"
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

QTEST_MAIN(TestKitImportDialog)
#include "tst_kitimportdialog.moc"
