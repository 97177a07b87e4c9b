// File → Import Classroom Kit: the kit file and where its examples go, then the import on
// a worker thread (a kit holds hundreds of MiB, every blob verified before the store is
// touched) with a busy bar; says what was loaded, or why the kit was refused, and offers
// the examples to open.
#pragma once

#include "core/common/cancellation.h"

#include <QDialog>
#include <QStringList>

#include <thread>

class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace stagecraft::ui {

class KitImportDialog : public QDialog
{
    Q_OBJECT

public:
    KitImportDialog(const QString &storeRoot, QWidget *parent = nullptr);
    ~KitImportDialog() override;

    void setKitFile(const QString &path);
    void setExamplesDir(const QString &dir);
    // Starts the import (the Import button does the same).
    void startImport();
    bool isImporting() const { return m_worker.joinable() && m_busy; }

Q_SIGNALS:
    void importFinished(bool ok);
    // The person chose an example's Dockerfile to open.
    void exampleChosen(const QString &dockerfile);

private:
    void finish(bool ok, const QString &message, const QStringList &examples);

    QString m_storeRoot;
    QLineEdit *m_file;
    QLineEdit *m_examplesDir;
    QProgressBar *m_progress;
    QLabel *m_status;
    QListWidget *m_examples;
    QPushButton *m_import;
    QPushButton *m_open;
    CancellationToken m_cancel;
    std::thread m_worker;
    bool m_busy = false;
};

} // namespace stagecraft::ui
