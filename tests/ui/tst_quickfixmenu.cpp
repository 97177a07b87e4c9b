// The editor's quick-fixes: the bulb shows on a line with a fixable finding, Ctrl+. lists the
// fixes there, choosing one changes the text in a single undo step, and "Make it multi-stage"
// works from the FROM line.
#include "core/checks/buildchecks.h"
#include "core/plan/buildplan.h"
#include "ui/dockerfileeditor.h"
#include "ui/quickfixmenu.h"

#include <QApplication>
#include <QMenu>
#include <QScopeGuard>
#include <QTest>
#include <QTextBlock>
#include <QTranslator>

using namespace stagecraft;
using namespace stagecraft::ui;

namespace {

// What the live analysis would give the editor for its text.
void analyse(DockerfileEditor &editor)
{
    const BuildPlan plan = BuildPlan::fromText(editor.toPlainText());
    BuildCheckOptions options;
    options.stagecraftRules = true;
    editor.setAnalysis(plan.dockerfile(), plan.graph(), BuildChecks::run(plan, options));
}

void moveToLine(DockerfileEditor &editor, int line)
{
    QTextCursor c(editor.document()->findBlockByNumber(line - 1));
    editor.setTextCursor(c);
}

} // namespace

class TestQuickFixMenu : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bulbAndShortcutApplyOneUndoStep()
    {
        DockerfileEditor editor;
        editor.resize(700, 300);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        const QString original =
            QStringLiteral("FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n");
        editor.setPlainText(original);
        analyse(editor);
        auto *menu = editor.findChild<QuickFixMenu *>();
        QVERIFY(menu);

        moveToLine(editor, 1);
        QVERIFY(!menu->isBulbVisible());
        moveToLine(editor, 3);
        QVERIFY(menu->isBulbVisible());

        QTest::keyClick(&editor, Qt::Key_Period, Qt::ControlModifier);
        auto *popup = editor.findChild<QMenu *>(QStringLiteral("quickFixPopup"));
        QVERIFY(popup);
        QTRY_VERIFY(popup->isVisible());
        QCOMPARE(popup->actions().size(), 1);
        QCOMPARE(popup->actions().first()->text(),
                 QStringLiteral("Combine apt-get update, install and clean-up in one RUN"));
        popup->actions().first()->trigger();
        popup->close();
        QCOMPARE(
            editor.toPlainText(),
            QStringLiteral("FROM debian\nRUN apt-get update && apt-get install -y curl \\\n    && rm -rf "
                           "/var/lib/apt/lists/*\n"));
        // One undo step takes it all back.
        editor.document()->undo();
        QCOMPARE(editor.toPlainText(), original);
        editor.document()->redo();
        QVERIFY(editor.toPlainText() != original);
    }

    void makeItMultiStage()
    {
        DockerfileEditor editor;
        const QString text = QStringLiteral(
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n"
            "ENTRYPOINT [\"/out/app\"]\n");
        editor.setPlainText(text);
        analyse(editor);
        moveToLine(editor, 1);
        auto *menu = editor.findChild<QuickFixMenu *>();
        const QList<QuickFix> fixes = menu->fixesAtCursor();
        QCOMPARE(fixes.size(), 1);
        QVERIFY(fixes.first().title.startsWith(QLatin1String("Make it multi-stage")));
        QVERIFY(menu->apply(fixes.first()));
        const BuildPlan after = BuildPlan::fromText(editor.toPlainText());
        QCOMPARE(after.stages().size(), 2);
        QVERIFY(after.stages().last().isScratch());
        editor.document()->undo();
        QCOMPARE(editor.toPlainText(), text);
    }

    // The menu speaks the user's language: core's English title template, translated.
    void titlesAreTranslated()
    {
        QTranslator translator;
        QVERIFY(translator.load(QStringLiteral(":/i18n/stagecraft_de.qm")));
        QCoreApplication::installTranslator(&translator);
        const auto removeTranslator = qScopeGuard([&] { QCoreApplication::removeTranslator(&translator); });
        DockerfileEditor editor;
        editor.setPlainText(
            QStringLiteral("FROM rust:1.79\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\n"
                           "CMD [\"/src/target/release/app\"]\n"));
        analyse(editor);
        moveToLine(editor, 1);
        auto *menu = editor.findChild<QuickFixMenu *>();
        const QList<QuickFix> fixes = menu->fixesAtCursor();
        QCOMPARE(fixes.size(), 1);
        QCOMPARE(fixes.first().title,
                 QStringLiteral("Make it multi-stage (build stage + debian:bookworm-slim)"));
        QCOMPARE(QuickFixMenu::displayTitle(fixes.first()),
                 QStringLiteral("Mehrstufig machen (Build-Stufe + debian:bookworm-slim)"));
        QMenu *shown = menu->showMenu();
        QVERIFY(shown);
        QCOMPARE(shown->actions().first()->text(),
                 QStringLiteral("Mehrstufig machen (Build-Stufe + debian:bookworm-slim)"));
        shown->close();
    }

    // A finding whose fix declined: the menu says why, greyed out, rather than not opening.
    void declinedFixSaysWhy()
    {
        DockerfileEditor editor;
        editor.setPlainText(QStringLiteral("FROM golang:1.22\nRUN go build -o /x\nCMD [\"/y\"]\n"));
        analyse(editor);
        moveToLine(editor, 1);
        auto *menu = editor.findChild<QuickFixMenu *>();
        QVERIFY(menu->fixesAtCursor().isEmpty());
        QMenu *shown = menu->showMenu();
        QVERIFY(shown);
        QCOMPARE(shown->actions().size(), 1);
        QVERIFY(!shown->actions().first()->isEnabled());
        QVERIFY2(shown->actions().first()->text().contains(QLatin1String("go build writes")),
                 qPrintable(shown->actions().first()->text()));
        shown->close();
    }

    void noFixThatWritesFiles()
    {
        DockerfileEditor editor;
        editor.setPlainText(QStringLiteral("FROM alpine\nCOPY . /src\n"));
        auto *menu = editor.findChild<QuickFixMenu *>();
        moveToLine(editor, 2);
        // The editor does not read or write the build context: `stagecraft check --fix` does.
        QVERIFY(menu->fixesAtCursor().isEmpty());
        QVERIFY(!menu->showMenu());
    }
};

QTEST_MAIN(TestQuickFixMenu)
#include "tst_quickfixmenu.moc"
