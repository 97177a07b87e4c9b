// Turns a file dragged from one stage's tree onto another stage (its graph node, or the
// editor inside that stage) into a `COPY --from=<stage> <path> <dest>` line: the edit is
// computed in core/dockerfile, confirmed in a small popup, applied as one undo step.
#pragma once

#include <QObject>

namespace stagecraft::ui {

class DockerfileEditor;
class StageGraphView;

class CopyDropController : public QObject
{
    Q_OBJECT

public:
    CopyDropController(DockerfileEditor *editor, StageGraphView *graphView, QObject *parent = nullptr);

Q_SIGNALS:
    // A COPY line went into the editor (the window re-analyses at once).
    void copyInserted(int line);

private:
    DockerfileEditor *m_editor;
    StageGraphView *m_graphView;
};

} // namespace stagecraft::ui
