#include "ui/copytostagedialog.h"

#include "core/dockerfile/copyinsertion.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace stagecraft::ui {

CopyToStageDialog::CopyToStageDialog(const QString &text, const QList<Stage> &stages,
                                     const QString &sourceStage, const QString &path, bool directory,
                                     int preferredStage, QWidget *parent)
    : QDialog(parent)
    , m_text(text)
    , m_sourceStage(sourceStage)
    , m_path(path)
    , m_directory(directory)
    , m_stages(new QComboBox(this))
    , m_destination(new QLineEdit(path, this))
    , m_preview(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("copyToStageDialog"));
    setWindowTitle(tr("Copy to Stage"));
    m_stages->setObjectName(QStringLiteral("copyTargetStage"));
    m_destination->setObjectName(QStringLiteral("copyDestination"));
    m_preview->setObjectName(QStringLiteral("copyPreview"));
    auto *form = new QFormLayout(this);
    auto *what = new QLabel(
        tr("Copy <b>%1</b> from stage <b>%2</b>:").arg(path.toHtmlEscaped(), sourceStage.toHtmlEscaped()),
        this);
    what->setWordWrap(true);
    form->addRow(what);

    // Only stages that can take the file: a stage cannot copy from itself or from a later
    // stage, so offering those would only lead to a refusal.
    int preferredRow = -1;
    for (const Stage &stage : stages) {
        const CopyInsertion::Result r =
            CopyInsertion::compute(m_text, {m_sourceStage, m_path, m_directory, stage.index, {}});
        if (!r.ok)
            continue;
        if (stage.index == preferredStage)
            preferredRow = m_stages->count();
        m_stages->addItem(stage.name.isEmpty() ? tr("Stage %1").arg(stage.index)
                                               : tr("%1 (stage %2)").arg(stage.name).arg(stage.index),
                          stage.index);
    }
    m_stages->setCurrentIndex(preferredRow >= 0 ? preferredRow : m_stages->count() - 1);
    form->addRow(tr("&Into stage:"), m_stages);
    m_destination->setMinimumWidth(320);
    form->addRow(tr("&Destination:"), m_destination);
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setWordWrap(true);
    form->addRow(m_preview);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Insert COPY"));
    form->addRow(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_stages, &QComboBox::currentIndexChanged, this, &CopyToStageDialog::updatePreview);
    connect(m_destination, &QLineEdit::textChanged, this, &CopyToStageDialog::updatePreview);
    updatePreview();
    m_destination->setFocus();
    m_destination->selectAll();
}

int CopyToStageDialog::targetStage() const
{
    return m_stages->currentIndex() < 0 ? -1 : m_stages->currentData().toInt();
}

QString CopyToStageDialog::destination() const
{
    return m_destination->text().trimmed();
}

void CopyToStageDialog::updatePreview()
{
    if (targetStage() < 0) {
        m_preview->setText(tr("No later stage can copy this file; add a FROM line after this stage first."));
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
        return;
    }
    const CopyInsertion::Result r =
        CopyInsertion::compute(m_text, {m_sourceStage, m_path, m_directory, targetStage(), destination()});
    m_preview->setText(r.ok ? r.instruction : r.error);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(r.ok);
}

} // namespace stagecraft::ui
