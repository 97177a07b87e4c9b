#include "ui/quickfixmenu.h"

#include "core/checks/buildchecks.h"
#include "core/checks/quickfixes.h"
#include "core/plan/buildplan.h"
#include "ui/dockerfileeditor.h"

#include <QCoreApplication>
#include <QIcon>
#include <QMenu>
#include <QPainter>
#include <QPixmap>
#include <QScrollBar>
#include <QShortcut>
#include <QTextBlock>
#include <QToolButton>

namespace stagecraft::ui {

namespace {

// The rules QuickFixes has fixes for: the bulb shows only where one of them reported.
bool hasFixes(const QString &rule)
{
    static const QStringList kRules = {
        QStringLiteral("ConsistentInstructionCasing"),
        QStringLiteral("FromAsCasing"),
        QStringLiteral("StageNameCasing"),
        QStringLiteral("LegacyKeyValueFormat"),
        QStringLiteral("JSONArgsRecommended"),
        QStringLiteral("MaintainerDeprecated"),
        QStringLiteral("CopyWholeContext"),
        QStringLiteral("PackageCacheInLayer"),
        QStringLiteral("FinalStageToolchain"),
    };
    return kRules.contains(rule);
}

// Drawn rather than a font's emoji, which many desktops (and the offscreen platform) lack.
QIcon bulbIcon()
{
    QPixmap pixmap(28, 28);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(QColor(0x8a, 0x6d, 0x00), 1.5));
    p.setBrush(QColor(0xff, 0xd5, 0x4f));
    p.drawEllipse(QRectF(5, 2, 18, 18));
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0x70, 0x70, 0x70));
    p.drawRoundedRect(QRectF(10, 20, 8, 6), 1.5, 1.5);
    return QIcon(pixmap);
}

bool onLine(const Diagnostic &d, int line)
{
    return d.range.isValid() && d.range.start.line <= line &&
           line <= std::max(d.range.start.line, d.range.end.line);
}

} // namespace

QString QuickFixMenu::displayTitle(const QuickFix &fix)
{
    if (!fix.titleSource)
        return fix.title;
    return QuickFix::fill(QCoreApplication::translate(QuickFix::kTranslationContext, fix.titleSource),
                          fix.titleArgs);
}

QuickFixMenu::QuickFixMenu(DockerfileEditor *editor)
    : QObject(editor)
    , m_editor(editor)
    , m_bulb(new QToolButton(editor->viewport()))
{
    setObjectName(QStringLiteral("quickFixMenu"));
    m_bulb->setObjectName(QStringLiteral("quickFixBulb"));
    m_bulb->setIcon(bulbIcon());
    m_bulb->setIconSize(QSize(14, 14));
    m_bulb->setAutoRaise(true);
    m_bulb->setCursor(Qt::PointingHandCursor);
    m_bulb->setToolTip(tr("Show fixes (Ctrl+.)"));
    m_bulb->setAccessibleName(tr("Quick fixes"));
    m_bulb->hide();
    connect(m_bulb, &QToolButton::clicked, this, [this] { showMenu(); });

    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period), editor);
    shortcut->setContext(Qt::WidgetShortcut);
    connect(shortcut, &QShortcut::activated, this, [this] { showMenu(); });

    connect(editor, &QPlainTextEdit::cursorPositionChanged, this, &QuickFixMenu::updateBulb);
    connect(editor, &QPlainTextEdit::updateRequest, this, &QuickFixMenu::updateBulb);
    // The analysis arrives after typing stops; the underlines change with it.
    connect(editor->document(), &QTextDocument::contentsChanged, this, &QuickFixMenu::updateBulb);
}

bool QuickFixMenu::lineHasFixableFinding() const
{
    const int line = m_editor->textCursor().blockNumber() + 1;
    for (const Diagnostic &d : m_editor->diagnostics())
        if (hasFixes(d.rule) && onLine(d, line))
            return true;
    return false;
}

bool QuickFixMenu::isBulbVisible() const
{
    return !m_bulb->isHidden();
}

void QuickFixMenu::updateBulb()
{
    if (!lineHasFixableFinding()) {
        m_bulb->hide();
        return;
    }
    const QRect cursor = m_editor->cursorRect(m_editor->textCursor());
    const int size = std::max(16, cursor.height());
    m_bulb->resize(size + 4, size);
    // At the right edge of the visible text, on the cursor's line.
    m_bulb->move(m_editor->viewport()->width() - m_bulb->width() - 2, cursor.top());
    m_bulb->show();
    m_bulb->raise();
}

QList<QuickFix> QuickFixMenu::fixesAtCursor() const
{
    const QString text = m_editor->toPlainText();
    const BuildPlan plan = BuildPlan::fromText(text);
    BuildCheckOptions options;
    options.stagecraftRules = true;
    // Fixes are computed for the text as it is now, not the last analysis, so their ranges fit.
    const Diagnostics diagnostics = BuildChecks::run(plan, options);
    const int line = m_editor->textCursor().blockNumber() + 1;
    QList<QuickFix> out;
    for (const Diagnostic &d : diagnostics) {
        if (!onLine(d, line) || !hasFixes(d.rule))
            continue;
        for (const QuickFix &fix : QuickFixes::forDiagnostic(plan, text, d, options)) {
            if (!fix.files.isEmpty())
                continue;
            out.append(fix);
        }
    }
    return out;
}

QStringList QuickFixMenu::declinedAtCursor() const
{
    const QString text = m_editor->toPlainText();
    const BuildPlan plan = BuildPlan::fromText(text);
    BuildCheckOptions options;
    options.stagecraftRules = true;
    const int line = m_editor->textCursor().blockNumber() + 1;
    QStringList out;
    for (const Diagnostic &d : BuildChecks::run(plan, options))
        if (onLine(d, line))
            if (const QString why = QuickFixes::declined(plan, text, d, options); !why.isEmpty())
                out.append(why);
    return out;
}

bool QuickFixMenu::apply(const QuickFix &fix)
{
    QTextDocument *doc = m_editor->document();
    const QString text = doc->toPlainText();
    if (!fix.files.isEmpty() || !QuickFix::apply(text, fix.edits))
        return false;
    // Later edits first, so earlier positions stay valid; all in one undo step.
    const TextLines lines(text);
    QList<TextEdit> edits = fix.edits;
    std::stable_sort(edits.begin(), edits.end(),
                     [](const TextEdit &a, const TextEdit &b) { return b.range.start < a.range.start; });
    QTextCursor cursor(doc);
    cursor.beginEditBlock();
    for (const TextEdit &edit : std::as_const(edits)) {
        cursor.setPosition(int(lines.offset(edit.range.start)));
        cursor.setPosition(int(lines.offset(edit.range.end)), QTextCursor::KeepAnchor);
        cursor.insertText(edit.newText);
    }
    cursor.endEditBlock();
    Q_EMIT fixApplied(displayTitle(fix));
    return true;
}

QMenu *QuickFixMenu::showMenu()
{
    const QList<QuickFix> fixes = fixesAtCursor();
    const QStringList declined = declinedAtCursor();
    if (fixes.isEmpty() && declined.isEmpty())
        return nullptr;
    if (m_menu)
        m_menu->deleteLater();
    m_menu = new QMenu(m_editor);
    m_menu->setObjectName(QStringLiteral("quickFixPopup"));
    m_menu->setAttribute(Qt::WA_DeleteOnClose);
    for (const QuickFix &fix : fixes) {
        QAction *action = m_menu->addAction(displayTitle(fix));
        connect(action, &QAction::triggered, this, [this, fix] { apply(fix); });
    }
    // A fix that declined says why, greyed out, instead of the bulb leading nowhere.
    for (const QString &why : declined) {
        QAction *action = m_menu->addAction(tr("No fix: %1").arg(why));
        action->setEnabled(false);
    }
    const QRect cursor = m_editor->cursorRect(m_editor->textCursor());
    m_menu->popup(m_editor->viewport()->mapToGlobal(cursor.bottomLeft()));
    return m_menu;
}

} // namespace stagecraft::ui
