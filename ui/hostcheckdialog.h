// Shows what `stagecraft doctor` checks (user namespaces, subordinate ids, bubblewrap…):
// each check with its state and, when it failed, the exact command that fixes it, as
// text a person can select and copy. The window opens it on start when something a
// build needs is missing, unless the person asked not to see the same findings again.
#pragma once

#include "core/exec/hostcheck.h"

#include <QDialog>
#include <QList>

class QCheckBox;
class QTextBrowser;

namespace stagecraft::ui {

class HostCheckDialog : public QDialog
{
    Q_OBJECT

public:
    explicit HostCheckDialog(const QList<HostCheckResult> &results, QWidget *parent = nullptr);

    // A required check failed: a build would not work.
    static bool needsAttention(const QList<HostCheckResult> &results);
    // Whether the window should open the dialog by itself for `results`: something is
    // missing and it is not what the person dismissed with "Don't show again".
    static bool shouldShow(const QList<HostCheckResult> &results);

    // Remembers (or forgets) the findings dismissed with "Don't show again" on closing.
    void done(int result) override;

private:
    static QString findings(const QList<HostCheckResult> &results);

    QList<HostCheckResult> m_results;
    QTextBrowser *m_list;
    QCheckBox *m_dontShow;
};

} // namespace stagecraft::ui
