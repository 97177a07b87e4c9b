// Asks how to run the built image: ports to publish (pre-filled from its EXPOSE), extra
// environment, a command instead of the image's, and whether to run it in an
// interactive terminal. Entries that would not run are refused with the reason, and the
// dialog stays open.
#pragma once

#include "ui/runchoices.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace stagecraft::ui {

class RunDialog : public QDialog
{
    Q_OBJECT

public:
    RunDialog(const QString &imageName, const RunChoices &initial, QWidget *parent = nullptr);

    // What the fields hold (valid once the dialog was accepted).
    RunChoices choices() const;

    void accept() override;

private:
    // "" when it can run; otherwise the reason, and `field` the entry to fix.
    QString validate(const RunChoices &choices, QWidget **field) const;

    QLineEdit *m_ports;
    QPlainTextEdit *m_env;
    QLineEdit *m_command;
    QCheckBox *m_terminal;
    QLabel *m_error;
};

} // namespace stagecraft::ui
