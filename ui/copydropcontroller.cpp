#include "ui/copydropcontroller.h"

#include "core/dockerfile/copyinsertion.h"
#include "core/dockerfile/dockerfileparser.h"
#include "ui/dockerfileeditor.h"
#include "ui/stagegraphview.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFormLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QTextBlock>
#include <QTextCursor>

namespace stagecraft::ui {

CopyDropController::CopyDropController(DockerfileEditor *editor, StageGraphView *graphView, QObject *parent)
    : QObject(parent)
    , m_editor(editor)
    , m_graphView(graphView)
{
    if (m_graphView)
        connect(m_graphView, &StageGraphView::artifactDropped, this, &CopyDropController::handleDrop);
    if (m_editor) {
        // The editor itself stays unaware of drags: drops of files are caught on its
        // viewport before QPlainTextEdit would paste the path as text.
        m_viewport = m_editor->viewport();
        m_viewport->installEventFilter(this);
    }
}

CopyDropController::~CopyDropController()
{
    if (m_dialog)
        m_dialog->deleteLater();
}

bool CopyDropController::eventFilter(QObject *watched, QEvent *event)
{
    // Compared by address only: while the editor is being destroyed its viewport still
    // sends events, and the editor must not be touched then.
    if (!m_editor || watched != m_viewport)
        return QObject::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::DragEnter:
    case QEvent::DragMove: {
        auto *drag = static_cast<QDragMoveEvent *>(event);
        if (!drag->mimeData()->hasFormat(StageGraphView::artifactMimeType()))
            break;
        drag->setDropAction(Qt::CopyAction);
        drag->accept();
        return true;
    }
    case QEvent::Drop: {
        auto *drop = static_cast<QDropEvent *>(event);
        if (!drop->mimeData()->hasFormat(StageGraphView::artifactMimeType()))
            break;
        const QTextCursor cursor = m_editor->cursorForPosition(drop->position().toPoint());
        const int line = cursor.blockNumber() + 1;
        const int stage = CopyInsertion::stageAtLine(DockerfileParser::parse(m_editor->toPlainText()), line);
        drop->setDropAction(Qt::CopyAction);
        drop->accept();
        if (stage < 0)
            refuse(tr("Drop the file inside a stage, below its FROM line."));
        else
            handleDrop(stage, drop->mimeData()->data(StageGraphView::artifactMimeType()));
        return true;
    }
    default: break;
    }
    return QObject::eventFilter(watched, event);
}

bool CopyDropController::handleDrop(int targetStage, const QByteArray &payload)
{
    m_lastError.clear();
    const std::optional<Drop> parsed = parseDrop(payload, targetStage);
    if (!parsed) {
        refuse(tr("The dropped item is not a file from a stage's file list."));
        return false;
    }
    const Drop &drop = *parsed;

    // Check first, so a refused drop says why at once instead of after the popup.
    const CopyInsertion::Result check = CopyInsertion::compute(
        m_editor->toPlainText(), {drop.stage, drop.path, drop.directory, targetStage, {}});
    if (!check.ok) {
        refuse(check.error);
        return false;
    }
    if (const int line = existingLine(targetStage, check.instruction); line > 0) {
        refuse(tr("Line %1 already copies this: %2").arg(line).arg(check.instruction));
        return false;
    }
    if (!m_confirm)
        return insert(drop, {});

    if (m_dialog)
        m_dialog->deleteLater();
    auto *dialog = new QDialog(m_editor ? m_editor->window() : nullptr);
    dialog->setWindowTitle(tr("Copy from another stage"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *form = new QFormLayout(dialog);
    auto *what = new QLabel(tr("Copy <b>%1</b> from stage <b>%2</b> into this stage at:")
                                .arg(drop.path.toHtmlEscaped(), drop.stage.toHtmlEscaped()),
                            dialog);
    what->setWordWrap(true);
    form->addRow(what);
    auto *destination = new QLineEdit(drop.path, dialog);
    destination->setMinimumWidth(320);
    form->addRow(tr("Destination:"), destination);
    auto *preview = new QLabel(check.instruction, dialog);
    preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont mono = m_editor ? m_editor->font() : preview->font();
    preview->setFont(mono);
    form->addRow(preview);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Insert COPY"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    // The line as it will read, refreshed while the destination is edited.
    connect(destination, &QLineEdit::textChanged, dialog,
            [this, drop, preview, buttons](const QString &text) {
                const CopyInsertion::Result r =
                    CopyInsertion::compute(m_editor->toPlainText(), {drop.stage, drop.path, drop.directory,
                                                                     drop.targetStage, text.trimmed()});
                preview->setText(r.ok ? r.instruction : r.error);
                buttons->button(QDialogButtonBox::Ok)->setEnabled(r.ok);
            });
    connect(dialog, &QDialog::accepted, this,
            [this, drop, destination] { insert(drop, destination->text().trimmed()); });
    m_dialog = dialog;
    m_destination = destination;
    dialog->open();
    destination->setFocus();
    destination->selectAll();
    return true;
}

std::optional<CopyDropController::Drop> CopyDropController::parseDrop(const QByteArray &payload,
                                                                      int targetStage)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    const QJsonObject object = document.object();
    Drop drop;
    drop.stage = object.value(QLatin1String("stage")).toVariant().toString();
    drop.path = object.value(QLatin1String("path")).toString();
    drop.directory = object.value(QLatin1String("dir")).toBool();
    drop.targetStage = targetStage;
    if (parseError.error != QJsonParseError::NoError || !document.isObject() || drop.path.isEmpty())
        return std::nullopt;
    return drop;
}

bool CopyDropController::copyToStage(int targetStage, const QByteArray &payload, const QString &destination)
{
    m_lastError.clear();
    const std::optional<Drop> drop = parseDrop(payload, targetStage);
    if (!drop) {
        refuse(tr("The dropped item is not a file from a stage's file list."));
        return false;
    }
    return insert(*drop, destination);
}

bool CopyDropController::insert(const Drop &drop, const QString &destination)
{
    // Computed again against the text as it is now: it may have changed while the popup was open.
    const QString text = m_editor->toPlainText();
    const CopyInsertion::Result result =
        CopyInsertion::compute(text, {drop.stage, drop.path, drop.directory, drop.targetStage, destination});
    if (!result.ok) {
        refuse(result.error);
        return false;
    }
    if (const int line = existingLine(drop.targetStage, result.instruction); line > 0) {
        refuse(tr("Line %1 already copies this: %2").arg(line).arg(result.instruction));
        return false;
    }
    QTextCursor cursor(m_editor->document());
    cursor.beginEditBlock();
    cursor.setPosition(int(std::min<qsizetype>(result.position, text.size())));
    cursor.insertText(result.insertText);
    cursor.endEditBlock();
    const QTextBlock block = m_editor->document()->findBlockByNumber(result.line - 1);
    if (block.isValid()) {
        QTextCursor at(block);
        at.movePosition(QTextCursor::EndOfBlock);
        m_editor->setTextCursor(at);
        m_editor->ensureCursorVisible();
    }
    // The drag started in the Files view; the keyboard follows the edit, so Ctrl+Z right
    // after the drop undoes it.
    m_editor->activateWindow();
    m_editor->setFocus(Qt::OtherFocusReason);
    Q_EMIT copyInserted(result.line);
    return true;
}

int CopyDropController::existingLine(int targetStage, const QString &instruction) const
{
    const QString text = m_editor->toPlainText();
    const Dockerfile parsed = DockerfileParser::parse(text);
    const QString wanted = instruction.simplified();
    int line = 0;
    for (const QStringView row : QStringView(text).split(QLatin1Char('\n'))) {
        ++line;
        if (row.toString().simplified() == wanted && CopyInsertion::stageAtLine(parsed, line) == targetStage)
            return line;
    }
    return 0;
}

void CopyDropController::refuse(const QString &reason)
{
    m_lastError = reason;
    Q_EMIT copyRefused(reason);
    if (m_confirm && m_editor) {
        auto *box = new QMessageBox(QMessageBox::Information, tr("Cannot copy here"), reason, QMessageBox::Ok,
                                    m_editor->window());
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
}

} // namespace stagecraft::ui
