#include "ui/kitimportdialog.h"

#include "core/kit/classroomkit.h"
#include "core/store/imagestore.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace stagecraft::ui {

KitImportDialog::KitImportDialog(const QString &storeRoot, QWidget *parent)
    : QDialog(parent)
    , m_storeRoot(storeRoot)
    , m_file(new QLineEdit)
    , m_examplesDir(new QLineEdit(QDir::home().filePath(QStringLiteral("lesson-examples"))))
    , m_progress(new QProgressBar)
    , m_status(new QLabel)
    , m_examples(new QListWidget)
    , m_import(new QPushButton(tr("&Import")))
    , m_open(new QPushButton(tr("&Open Example")))
{
    setWindowTitle(tr("Import Classroom Kit"));
    setObjectName(QStringLiteral("kitImportDialog"));
    m_file->setObjectName(QStringLiteral("kitFile"));
    m_examplesDir->setObjectName(QStringLiteral("kitExamplesDir"));
    m_status->setObjectName(QStringLiteral("kitStatus"));
    m_examples->setObjectName(QStringLiteral("kitExamples"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setText(
        tr("A kit holds a lesson's base images, the build cache of every step and the examples: "
           "after the import they build without the network."));
    m_progress->setRange(0, 0);
    m_progress->hide();
    m_open->setEnabled(false);

    auto *browse = new QPushButton(tr("&Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import Classroom Kit"), QDir::homePath(),
                                                          tr("Classroom kits (*.kit);;All files (*)"));
        if (!path.isEmpty())
            setKitFile(path);
    });
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file);
    fileRow->addWidget(browse);
    auto *form = new QFormLayout;
    auto *fileLabel = new QLabel(tr("&Kit file:"));
    fileLabel->setBuddy(m_file);
    form->addRow(fileLabel, fileRow);
    form->addRow(tr("&Examples go to:"), m_examplesDir);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(m_import, QDialogButtonBox::ActionRole);
    buttons->addButton(m_open, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_import, &QPushButton::clicked, this, &KitImportDialog::startImport);
    const auto openChosen = [this] {
        if (QListWidgetItem *item = m_examples->currentItem()) {
            Q_EMIT exampleChosen(item->data(Qt::UserRole).toString());
            accept();
        }
    };
    connect(m_open, &QPushButton::clicked, this, openChosen);
    connect(m_examples, &QListWidget::itemActivated, this, openChosen);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_examples, 1);
    layout->addWidget(buttons);
    resize(560, 360);
}

KitImportDialog::~KitImportDialog()
{
    m_cancel.cancel();
    if (m_worker.joinable())
        m_worker.join();
}

void KitImportDialog::setKitFile(const QString &path)
{
    m_file->setText(path);
    m_examplesDir->setText(QFileInfo(path).absoluteDir().filePath(QFileInfo(path).completeBaseName() +
                                                                  QStringLiteral("-examples")));
}

void KitImportDialog::setExamplesDir(const QString &dir)
{
    m_examplesDir->setText(dir);
}

void KitImportDialog::startImport()
{
    if (m_busy || m_file->text().isEmpty())
        return;
    if (m_worker.joinable())
        m_worker.join();
    m_busy = true;
    m_import->setEnabled(false);
    m_open->setEnabled(false);
    m_examples->clear();
    m_progress->show();
    m_status->setText(tr("Checking and loading %1…").arg(QFileInfo(m_file->text()).fileName()));
    // The worker gets plain values and reports back by a queued call; the dialog's
    // destructor cancels and joins it.
    QPointer<KitImportDialog> self(this);
    m_worker = std::thread(
        [self, store = m_storeRoot, file = m_file->text(), dir = m_examplesDir->text(), cancel = m_cancel] {
            bool ok = false;
            QString message;
            QStringList examples;
            auto opened = ImageStore::open(store);
            if (!opened) {
                message = opened.error().message;
            } else if (auto kit = ClassroomKit::open(file, opened->cacheDir(QStringLiteral("tmp")), cancel);
                       !kit) {
                message = kit.error().message;
            } else if (auto written = kit->importInto(*opened, dir, cancel); !written) {
                message = written.error().message;
            } else {
                ok = true;
                examples = *written;
                message =
                    KitImportDialog::tr("Loaded %1 base images and the cache of %2 steps. The examples build "
                                        "fully cached, without the network.")
                        .arg(kit->images().size())
                        .arg(kit->cache().index().entries.size());
            }
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [self, ok, message, examples] {
                    if (self)
                        self->finish(ok, message, examples);
                },
                Qt::QueuedConnection);
        });
}

void KitImportDialog::finish(bool ok, const QString &message, const QStringList &examples)
{
    m_busy = false;
    m_progress->hide();
    m_import->setEnabled(true);
    m_status->setText(ok ? message : tr("The kit was not imported: %1").arg(message));
    for (const QString &dir : examples) {
        auto *item =
            new QListWidgetItem(QFileInfo(dir).fileName() + QStringLiteral("  —  ") + dir, m_examples);
        item->setData(Qt::UserRole, QString(dir + QStringLiteral("/Dockerfile")));
    }
    if (m_examples->count() > 0) {
        m_examples->setCurrentRow(0);
        m_open->setEnabled(true);
    }
    Q_EMIT importFinished(ok);
}

} // namespace stagecraft::ui
