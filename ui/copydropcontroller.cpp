#include "ui/copydropcontroller.h"

#include "ui/dockerfileeditor.h"
#include "ui/stagegraphview.h"

namespace stagecraft::ui {

CopyDropController::CopyDropController(DockerfileEditor *editor, StageGraphView *graphView, QObject *parent)
    : QObject(parent)
    , m_editor(editor)
    , m_graphView(graphView)
{}

} // namespace stagecraft::ui
