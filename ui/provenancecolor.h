// The colour of a "Where Did This Come From?" answer, shared by the editor's lines and the
// graph's stages and edges so the eye links them. Purple: the graph already gives amber to
// the selection, blue to COPY edges, green to the target and red to errors.
#pragma once

#include <QColor>

namespace stagecraft::ui {

// Strong enough for a border or an edge on the theme's background.
QColor provenanceColor(bool dark);
// A line's background: light enough that the theme's text colours stay readable on it.
QColor provenanceLineColor(bool dark);

} // namespace stagecraft::ui
