#include "ui/hostcheckdialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace stagecraft::ui {

namespace {

const QString dismissedKey = QStringLiteral("hostCheck/dismissed");

} // namespace

HostCheckDialog::HostCheckDialog(const QList<HostCheckResult> &results, QWidget *parent)
    : QDialog(parent)
    , m_results(results)
    , m_list(new QTextBrowser)
    , m_dontShow(new QCheckBox(tr("&Don't show again until something changes")))
{
    setWindowTitle(tr("Check This Computer"));
    const bool missing = needsAttention(results);
    auto *summary = new QLabel(missing ? tr("Some things a build needs are missing on this computer. Each "
                                            "entry below says how to fix it; run the command, then choose "
                                            "Help → Check This Computer again.")
                                       : tr("Everything a build needs is in place."));
    summary->setObjectName(QStringLiteral("hostCheckSummary"));
    summary->setWordWrap(true);

    QString html;
    QStringList fixes;
    for (const HostCheckResult &r : results) {
        const QString state = r.ok ? tr("OK") : (r.required ? tr("Missing") : tr("Warning"));
        const QString colour = r.ok ? QStringLiteral("#2e7d32")
                                    : (r.required ? QStringLiteral("#c62828") : QStringLiteral("#ef6c00"));
        html += QStringLiteral("<p><b style=\"color:%1\">%2</b> &nbsp; <b>%3</b><br>%4")
                    .arg(colour, state.toHtmlEscaped(), r.name.toHtmlEscaped(), r.detail.toHtmlEscaped());
        if (!r.ok && !r.fix.isEmpty()) {
            html += QStringLiteral("<br>%1</p><pre style=\"margin-left:16px\">%2</pre>")
                        .arg(tr("Fix:").toHtmlEscaped(), r.fix.toHtmlEscaped());
            fixes.append(r.fix);
        } else {
            html += QStringLiteral("</p>");
        }
    }
    m_list->setObjectName(QStringLiteral("hostCheckList"));
    m_list->setHtml(html);
    m_list->setOpenLinks(false);
    m_list->setLineWrapMode(QTextEdit::WidgetWidth);

    m_dontShow->setObjectName(QStringLiteral("hostCheckDontShow"));
    m_dontShow->setChecked(!QSettings().value(dismissedKey).toString().isEmpty() &&
                           QSettings().value(dismissedKey).toString() == findings(results));
    m_dontShow->setVisible(missing);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton *copy = buttons->addButton(tr("&Copy Fixes"), QDialogButtonBox::ActionRole);
    copy->setObjectName(QStringLiteral("hostCheckCopy"));
    copy->setEnabled(!fixes.isEmpty());
    connect(copy, &QPushButton::clicked, this,
            [fixes] { QApplication::clipboard()->setText(fixes.join(u'\n') + u'\n'); });
    connect(buttons, &QDialogButtonBox::rejected, this, &HostCheckDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summary);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_dontShow);
    layout->addWidget(buttons);
    resize(640, 480);
}

bool HostCheckDialog::needsAttention(const QList<HostCheckResult> &results)
{
    return std::any_of(results.begin(), results.end(),
                       [](const HostCheckResult &r) { return r.required && !r.ok; });
}

QString HostCheckDialog::findings(const QList<HostCheckResult> &results)
{
    // What failed, and how: a new failure, or a fix that changed, shows the dialog again.
    QStringList failed;
    for (const HostCheckResult &r : results) {
        if (!r.ok)
            failed.append(r.name + u'\x1f' + r.fix);
    }
    return failed.join(u'\x1e');
}

bool HostCheckDialog::shouldShow(const QList<HostCheckResult> &results)
{
    return needsAttention(results) && QSettings().value(dismissedKey).toString() != findings(results);
}

void HostCheckDialog::done(int result)
{
    if (needsAttention(m_results)) {
        QSettings settings;
        if (m_dontShow->isChecked())
            settings.setValue(dismissedKey, findings(m_results));
        else
            settings.remove(dismissedKey);
    }
    QDialog::done(result);
}

} // namespace stagecraft::ui
