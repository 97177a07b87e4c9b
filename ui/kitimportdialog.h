// File → Import Classroom Kit: the kit file and where its examples go, then the import on
// a worker thread (a kit holds hundreds of MiB, every blob verified before the store is
// touched) with a busy bar; says what was loaded, or why the kit was refused, and offers
// the examples to open. Check Kit is the instructor's view of the same file without
// importing it: the base images with their sizes, and each example with the size of its
// cached steps, covered or not; for one that is not, which steps (line and instruction)
// would run and whether they would need the network, as `stagecraft kit show --check`.
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
    // Opens and verifies the kit and lists what it covers, importing nothing (Check Kit).
    void startCheck();
    bool isImporting() const { return m_worker.joinable() && m_busy; }

Q_SIGNALS:
    void importFinished(bool ok);
    // Check Kit is done: the list shows the kit's coverage (or the status why not).
    void checkFinished(bool ok);
    // The person chose an example's Dockerfile to open.
    void exampleChosen(const QString &dockerfile);

public:
    // One line of the list: an image or an example with its coverage.
    struct Row
    {
        QString text;
        QString detail;     // the tooltip: the steps that would run
        QString dockerfile; // an imported example's, to open; empty otherwise
        bool warning = false;
    };

private:
    void start(bool importing);
    void finish(bool importing, bool ok, const QString &message, const QList<Row> &rows);

    QString m_storeRoot;
    QLineEdit *m_file;
    QLineEdit *m_examplesDir;
    QProgressBar *m_progress;
    QLabel *m_status;
    QListWidget *m_examples;
    QPushButton *m_import;
    QPushButton *m_check;
    QPushButton *m_open;
    CancellationToken m_cancel;
    std::thread m_worker;
    bool m_busy = false;
};

} // namespace stagecraft::ui
