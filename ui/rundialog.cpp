#include "ui/rundialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFontMetrics>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QVBoxLayout>

namespace stagecraft::ui {

RunDialog::RunDialog(const QString &imageName, const RunChoices &initial, QWidget *parent)
    : QDialog(parent)
    , m_ports(new QLineEdit)
    , m_env(new QPlainTextEdit)
    , m_command(new QLineEdit)
    , m_terminal(new QCheckBox(tr("Run in an &interactive terminal")))
    , m_error(new QLabel)
{
    setWindowTitle(tr("Run Image"));
    auto *heading = new QLabel(tr("Run <b>%1</b> in a container.").arg(imageName.toHtmlEscaped()));
    heading->setWordWrap(true);

    m_ports->setObjectName(QStringLiteral("runPorts"));
    m_ports->setText(initial.ports.join(QStringLiteral(", ")));
    m_ports->setPlaceholderText(tr("e.g. 8080:80, 5432:5432"));
    m_ports->setToolTip(tr("HOST:CONTAINER pairs separated by commas or spaces; add /udp for UDP. "
                           "The host side listens on 127.0.0.1 unless an address is given "
                           "(ADDRESS:HOST:CONTAINER)."));
    m_env->setObjectName(QStringLiteral("runEnv"));
    m_env->setPlainText(initial.env.join(u'\n'));
    m_env->setPlaceholderText(tr("NAME=value, one per line"));
    m_env->setTabChangesFocus(true);
    m_env->setLineWrapMode(QPlainTextEdit::NoWrap);
    // Room for four variables without scrolling: a squeezed editor hides what it holds.
    m_env->setMinimumHeight(QFontMetrics(m_env->font()).lineSpacing() * 4 +
                            2 * int(m_env->document()->documentMargin()) + 2 * m_env->frameWidth());
    m_command->setObjectName(QStringLiteral("runCommand"));
    m_command->setText(initial.command);
    m_command->setPlaceholderText(tr("the image's command"));
    m_terminal->setObjectName(QStringLiteral("runTerminal"));
    m_terminal->setChecked(initial.terminal);
    m_terminal->setToolTip(tr("Type into the container in the Terminal panel; otherwise its output goes "
                              "to the build log."));
    m_error->setObjectName(QStringLiteral("runError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c62828"));
    m_error->hide();

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Published &ports:"), m_ports);
    form->addRow(tr("&Environment:"), m_env);
    form->addRow(tr("&Command:"), m_command);
    form->addRow(QString(), m_terminal);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Run"));
    connect(buttons, &QDialogButtonBox::accepted, this, &RunDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &RunDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addLayout(form, 1);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    setMinimumWidth(520);
}

RunChoices RunDialog::choices() const
{
    RunChoices choices;
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    choices.ports = m_ports->text().split(separators, Qt::SkipEmptyParts);
    for (const QString &line : m_env->toPlainText().split(u'\n')) {
        if (!line.trimmed().isEmpty())
            choices.env.append(line.trimmed());
    }
    choices.command = m_command->text().trimmed();
    choices.terminal = m_terminal->isChecked();
    return choices;
}

QString RunDialog::validate(const RunChoices &choices, QWidget **field) const
{
    *field = m_ports;
    QSet<QString> hostPorts;
    for (const QString &port : choices.ports) {
        const Expected<PortForward> forward = PortForward::parse(port);
        if (!forward)
            return tr("“%1” is not a port to publish: give HOST:CONTAINER with ports from 1 to 65535, "
                      "e.g. 8080:80.")
                .arg(port);
        const QString key = QStringLiteral("%1/%2").arg(forward->hostPort).arg(forward->udp);
        if (hostPorts.contains(key))
            return tr("The host port %1 is published twice.").arg(forward->hostPort);
        hostPorts.insert(key);
    }
    *field = m_env;
    static const QRegularExpression name(QStringLiteral("^[^=\\s]+="));
    for (const QString &variable : choices.env) {
        if (!name.match(variable).hasMatch())
            return tr("“%1” is not an environment variable: give NAME=value.").arg(variable);
    }
    *field = m_command;
    if (!RunChoices::splitCommand(choices.command))
        return tr("A quote in the command is not closed.");
    return {};
}

void RunDialog::accept()
{
    QWidget *field = nullptr;
    const QString problem = validate(choices(), &field);
    m_error->setText(problem);
    m_error->setVisible(!problem.isEmpty());
    if (!problem.isEmpty()) {
        field->setFocus();
        return;
    }
    QDialog::accept();
}

} // namespace stagecraft::ui
