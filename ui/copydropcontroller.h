// Turns a file dragged from one stage's tree onto another stage (its graph node, or the
// editor inside that stage) into a `COPY --from=<stage> <path> <dest>` line: the edit is
// computed in core/dockerfile, confirmed in a small popup, applied as one undo step.
#pragma once

#include <QDialog>
#include <QLineEdit>
#include <QObject>
#include <QPointer>

#include <optional>

namespace stagecraft::ui {

class DockerfileEditor;
class StageGraphView;

class CopyDropController : public QObject
{
    Q_OBJECT
    // Whether a drop opens the popup to confirm the destination (true by default); when
    // false the line goes in at once with the same path, and refusals are not shown in a
    // message box (copyRefused() still tells).
    Q_PROPERTY(bool confirmDrops READ confirmDrops WRITE setConfirmDrops)

public:
    CopyDropController(DockerfileEditor *editor, StageGraphView *graphView, QObject *parent = nullptr);
    ~CopyDropController() override;

    bool confirmDrops() const { return m_confirm; }
    void setConfirmDrops(bool confirm) { m_confirm = confirm; }

    // What a drop does: `payload` is the drag's application/x-stagecraft-artifact data,
    // `targetStage` the receiving stage's index. Returns false when the drop is refused
    // (the reason is in lastError()) and true when the line went in or the popup opened.
    bool handleDrop(int targetStage, const QByteArray &payload);
    QString lastError() const { return m_lastError; }
    // The same line without a drag (Files → Copy to Stage…, where the stage and the
    // destination were already chosen): checked, refused when the stage already has it,
    // inserted as one undo step. Empty `destination`: the source path.
    bool copyToStage(int targetStage, const QByteArray &payload, const QString &destination);

    // The confirmation popup while it is open (for tests: set the destination field,
    // then accept() or reject()).
    QDialog *pendingDialog() const { return m_dialog; }
    QLineEdit *destinationEdit() const { return m_destination; }

Q_SIGNALS:
    // A COPY line went into the editor (the window re-analyses at once).
    void copyInserted(int line);
    // A drop could not become a COPY line; `reason` is a sentence for the person.
    void copyRefused(const QString &reason);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Drop
    {
        QString stage;
        QString path;
        bool directory = false;
        int targetStage = -1;
    };

    static std::optional<Drop> parseDrop(const QByteArray &payload, int targetStage);
    bool insert(const Drop &drop, const QString &destination);
    // The 1-based line of the target stage that already reads `instruction`, or 0: a second
    // identical COPY would only add a layer.
    int existingLine(int targetStage, const QString &instruction) const;
    void refuse(const QString &reason);

    DockerfileEditor *m_editor;
    QObject *m_viewport = nullptr; // the editor's viewport, whose drops are watched
    StageGraphView *m_graphView;
    bool m_confirm = true;
    QString m_lastError;
    QPointer<QDialog> m_dialog;
    QPointer<QLineEdit> m_destination;
};

} // namespace stagecraft::ui
