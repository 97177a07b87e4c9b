#include "ui/kitimportdialog.h"

#include "core/kit/classroomkit.h"
#include "core/store/imagestore.h"
#include "ui/sizetext.h"

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
#include <QStyle>
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
    , m_check(new QPushButton(tr("&Check Kit")))
    , m_open(new QPushButton(tr("&Open Example")))
{
    setWindowTitle(tr("Import Classroom Kit"));
    setObjectName(QStringLiteral("kitImportDialog"));
    m_file->setObjectName(QStringLiteral("kitFile"));
    m_examplesDir->setObjectName(QStringLiteral("kitExamplesDir"));
    m_status->setObjectName(QStringLiteral("kitStatus"));
    m_examples->setObjectName(QStringLiteral("kitExamples"));
    m_check->setObjectName(QStringLiteral("kitCheck"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setText(
        tr("A kit holds a lesson's base images, the build cache of every step and the examples: "
           "after the import they build without the network."));
    m_examples->setIconSize(QSize(16, 16));
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
    buttons->addButton(m_check, QDialogButtonBox::ActionRole);
    buttons->addButton(m_import, QDialogButtonBox::ActionRole);
    buttons->addButton(m_open, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_import, &QPushButton::clicked, this, &KitImportDialog::startImport);
    connect(m_check, &QPushButton::clicked, this, &KitImportDialog::startCheck);
    const auto openChosen = [this] {
        if (QListWidgetItem *item = m_examples->currentItem();
            item && !item->data(Qt::UserRole).toString().isEmpty()) {
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
    resize(640, 420);
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
    start(true);
}

void KitImportDialog::startCheck()
{
    start(false);
}

namespace {

// The kit's images and its examples' coverage, as the list shows them. `dirs`: the
// imported examples' directories (empty for a check).
QList<KitImportDialog::Row> rowsFor(const ClassroomKit &kit, const ImageStore &store, const QStringList &dirs)
{
    QList<KitImportDialog::Row> rows;
    for (const KitImage &i : kit.images())
        rows.append(
            {KitImportDialog::tr("Base image %1  —  %2").arg(i.name, sizeText(i.bytes)), {}, {}, false});
    const QList<KitCoverage> coverage =
        kit.coverage([&store](const QString &image) { return store.resolve(image).has_value(); });
    for (qsizetype i = 0; i < kit.examples().size() && i < coverage.size(); ++i) {
        const KitExample &e = kit.examples()[i];
        const KitCoverage &c = coverage[i];
        KitImportDialog::Row row;
        row.dockerfile = i < dirs.size() ? dirs[i] + QStringLiteral("/Dockerfile") : QString();
        const QString head = KitImportDialog::tr("%1  —  %n steps, %2 cached", nullptr, e.steps)
                                 .arg(e.name, sizeText(c.cacheBytes));
        if (c.covered()) {
            row.text = head + KitImportDialog::tr("  —  covered: builds fully cached offline");
        } else {
            row.warning = true;
            row.text = head + (c.needsNetwork() ? KitImportDialog::tr("  —  would need the network")
                                                : KitImportDialog::tr("  —  steps would run (offline)"));
            QStringList lines;
            for (const QString &image : c.missingImages)
                lines.append(
                    KitImportDialog::tr("Base image %1 is not in the kit: it would be pulled").arg(image));
            for (const KitMissingStep &step : c.steps)
                lines.append((step.line > 0 ? KitImportDialog::tr("Line %1: ").arg(step.line) : QString()) +
                             step.instruction.left(120) +
                             (step.needsNetwork ? KitImportDialog::tr(" — would need the network")
                                                : KitImportDialog::tr(" — would run")));
            if (c.steps.isEmpty() && c.missingSteps > 0)
                lines.append(KitImportDialog::tr("%n steps have no cached result", nullptr, c.missingSteps));
            row.detail = lines.join(u'\n');
        }
        rows.append(row);
    }
    return rows;
}

} // namespace

void KitImportDialog::start(bool importing)
{
    if (m_busy || m_file->text().isEmpty())
        return;
    if (m_worker.joinable())
        m_worker.join();
    m_busy = true;
    m_import->setEnabled(false);
    m_check->setEnabled(false);
    m_open->setEnabled(false);
    m_examples->clear();
    m_progress->show();
    m_status->setText((importing ? tr("Checking and loading %1…") : tr("Checking %1…"))
                          .arg(QFileInfo(m_file->text()).fileName()));
    // The worker gets plain values and reports back by a queued call; the dialog's
    // destructor cancels and joins it.
    QPointer<KitImportDialog> self(this);
    m_worker = std::thread([self, importing, store = m_storeRoot, file = m_file->text(),
                            dir = m_examplesDir->text(), cancel = m_cancel] {
        bool ok = false;
        QString message;
        QList<Row> rows;
        auto opened = ImageStore::open(store);
        if (!opened) {
            message = opened.error().message;
        } else if (auto kit = ClassroomKit::open(file, opened->cacheDir(QStringLiteral("tmp")), cancel);
                   !kit) {
            message = kit.error().message;
        } else if (!importing) {
            ok = true;
            rows = rowsFor(*kit, *opened, {});
            int covered = 0;
            for (const KitCoverage &c :
                 kit->coverage([&](const QString &image) { return opened->resolve(image).has_value(); }))
                covered += c.covered() ? 1 : 0;
            message = KitImportDialog::tr("%1 of %2 examples build fully cached without the network. The kit "
                                          "holds %3 of base images, %4 of build cache and %5 of examples.")
                          .arg(covered)
                          .arg(kit->examples().size())
                          .arg(sizeText([&] {
                                   qint64 total = 0;
                                   for (const KitImage &i : kit->images())
                                       total += i.bytes;
                                   return total;
                               }()),
                               sizeText(kit->cacheBytes()), sizeText(kit->examplesBytes()));
        } else if (auto written = kit->importInto(*opened, dir, cancel); !written) {
            message = written.error().message;
        } else {
            ok = true;
            rows = rowsFor(*kit, *opened, *written);
            message =
                KitImportDialog::tr("Loaded %1 base images and the cache of %2 steps. The examples build "
                                    "fully cached, without the network.")
                    .arg(kit->images().size())
                    .arg(kit->cache().index().entries.size());
        }
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, importing, ok, message, rows] {
                if (self)
                    self->finish(importing, ok, message, rows);
            },
            Qt::QueuedConnection);
    });
}

void KitImportDialog::finish(bool importing, bool ok, const QString &message, const QList<Row> &rows)
{
    m_busy = false;
    m_progress->hide();
    m_import->setEnabled(true);
    m_check->setEnabled(true);
    m_status->setText(ok          ? message
                      : importing ? tr("The kit was not imported: %1").arg(message)
                                  : tr("The kit cannot be used: %1").arg(message));
    int firstExample = -1;
    for (const Row &row : rows) {
        auto *item = new QListWidgetItem(row.text, m_examples);
        item->setData(Qt::UserRole, row.dockerfile);
        item->setToolTip(row.detail);
        if (row.warning)
            item->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
        if (firstExample < 0 && !row.dockerfile.isEmpty())
            firstExample = m_examples->count() - 1;
        // What would run, under the example, so the instructor sees it without hovering.
        if (row.detail.isEmpty())
            continue;
        for (const QString &line : row.detail.split(u'\n')) {
            auto *detail = new QListWidgetItem(QStringLiteral("        ") + line, m_examples);
            detail->setFlags(Qt::ItemIsEnabled);
            detail->setToolTip(line);
        }
    }
    if (firstExample >= 0) {
        m_examples->setCurrentRow(firstExample);
        m_open->setEnabled(true);
    }
    if (importing)
        Q_EMIT importFinished(ok);
    else
        Q_EMIT checkFinished(ok);
}

} // namespace stagecraft::ui
