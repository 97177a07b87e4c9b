// Files → Copy to Stage…: the drag onto another stage's node, for touchpads, projectors
// and keyboards. Asks which stage receives the file and where it goes, shows the
// `COPY --from` line as it will read, and offers only stages that can take it.
#pragma once

#include "core/plan/stagegraph.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace stagecraft::ui {

class CopyToStageDialog : public QDialog
{
    Q_OBJECT

public:
    // `text` is the Dockerfile as the editor holds it, `stages` its stages; the file is
    // `path` of stage `sourceStage` (its name or index). `preferredStage` is chosen first
    // when it can take the file (the editor's cursor stage), else the last one that can.
    CopyToStageDialog(const QString &text, const QList<Stage> &stages, const QString &sourceStage,
                      const QString &path, bool directory, int preferredStage, QWidget *parent = nullptr);

    int targetStage() const; // -1 when no stage can take the file
    QString destination() const;
    QComboBox *stageBox() const { return m_stages; }
    QLineEdit *destinationEdit() const { return m_destination; }
    QLabel *previewLabel() const { return m_preview; }

private:
    void updatePreview();

    QString m_text;
    QString m_sourceStage;
    QString m_path;
    bool m_directory;
    QComboBox *m_stages;
    QLineEdit *m_destination;
    QLabel *m_preview;
    QDialogButtonBox *m_buttons;
};

} // namespace stagecraft::ui
