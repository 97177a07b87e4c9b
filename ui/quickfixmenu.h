// The editor's quick-fixes: a light bulb at the end of the cursor's line when a finding there
// has a fix, and Ctrl+. (or a click on the bulb) to list them. Core computes the fixes
// (QuickFixes); this applies the chosen one as a single undo step. Fixes that write a file of
// the build context (a .dockerignore) are left to `stagecraft check --fix`: the editor does not
// read the context.
#pragma once

#include "core/checks/quickfix.h"
#include "core/common/sourcerange.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

class QMenu;
class QToolButton;

namespace stagecraft::ui {

class DockerfileEditor;

class QuickFixMenu : public QObject
{
    Q_OBJECT

public:
    explicit QuickFixMenu(DockerfileEditor *editor);

    // The fixes for the findings on the cursor's line (or the instruction it is in), computed
    // from the editor's current text.
    QList<QuickFix> fixesAtCursor() const;
    QStringList declinedAtCursor() const; // why a fix the finding usually has is not offered
    // Applies `fix` to the document as one undo step; false (and nothing changed) when its edits
    // do not fit the text any more.
    bool apply(const QuickFix &fix);
    // Shows the fixes at the cursor as a menu; returns it (null when there is none).
    QMenu *showMenu();
    bool isBulbVisible() const;
    // The fix's title in the user's language (core gives the English template and its words).
    static QString displayTitle(const QuickFix &fix);

Q_SIGNALS:
    void fixApplied(const QString &title);

private:
    void updateBulb();
    bool lineHasFixableFinding() const;

    DockerfileEditor *m_editor;
    QToolButton *m_bulb;
    QPointer<QMenu> m_menu;
};

} // namespace stagecraft::ui
