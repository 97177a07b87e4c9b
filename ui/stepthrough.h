// Stepping through a build: which layer of the image in the Files view each Dockerfile step
// made. A step picked anywhere (the editor's line, a graph node or a timeline bar, which move
// the cursor; a Layers segment or the Files view's layer list; Next/Previous Step) shows
// that layer's changes in the Files view and what it changed in the StepSummary.
// Layers are matched to lines by the last build's steps (their layer digests) or, for an
// image with history that no build here made, by its history (LastBuild::instructionLayers).
#pragma once

#include "core/analysis/layerstep.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <memory>

namespace stagecraft {
class ImageAnalysis;
}

namespace stagecraft::ui {

class BuildController;
class DockerfileEditor;
class FilesView;
class LiveAnalysis;
class StepSummary;
class TimelineView;

// What one picked step is, as the summary shows it.
struct StepPick
{
    enum class State {
        None,     // the cursor is on no instruction and no layer was picked
        Layer,    // `layer` of the Files view's image: `changes` says what it changed
        NoLayer,  // the step made no layer (ENV, ARG, CMD…, or a WORKDIR that changed nothing)
        From,     // FROM: the stage starts from its base image's layers
        NotBuilt, // no layer of this step in the image shown (not built yet, or another image)
        Loading,  // the Files view is still reading its image
    };
    State state = State::None;
    int line = 0;        // the instruction's first line (1-based); 0 for a layer with no line
    int lastLine = 0;    // its last line
    QString keyword;     // "RUN", "ENV" (upper case); empty for a layer with no line
    QString text;        // the instruction as written, or the layer's history entry
    int layer = -1;      // in the Files view's image
    int layerCount = 0;  // the image's layers
    bool cached = false; // the last build took the step from its cache
    LayerStep changes;   // for State::Layer
};

class StepThrough : public QObject
{
    Q_OBJECT

public:
    struct Views
    {
        DockerfileEditor *editor = nullptr;
        FilesView *files = nullptr;
        StepSummary *summary = nullptr;
        BuildController *builds = nullptr; // the last build's steps; may be null
        LiveAnalysis *analysis = nullptr;  // the editor text's parse and the target
        TimelineView *timeline = nullptr;  // marks the picked step's bar; may be null
    };

    StepThrough(const Views &views, QObject *parent = nullptr);
    ~StepThrough() override;

    // The step on an editor line (1-based): its layer shown in the Files view.
    void pickLine(int line);
    // Layer `layer` of image `argument` (a Layers segment): the Files view shows that image
    // (loading it when it shows another) at that layer. An empty argument: the Files view's.
    void pickLayer(const QString &argument, int layer);
    // The next or previous instruction of the Dockerfile (the cursor moves there), or, for
    // an image that no line of this Dockerfile made, its next or previous layer.
    void step(int direction);

    const StepPick &current() const { return m_pick; }

Q_SIGNALS:
    void picked(); // current() changed

private:
    enum class Source { None, Line, Layer };

    void resolve();
    void resolveLine(StepPick &pick) const;
    void resolveLayer(StepPick &pick) const;
    void fillLayer(StepPick &pick, int layer) const;
    // The Files view's image once it has loaded; null while another loads (its analysis is
    // then still the last image's, whose layers are not the ones the view will show).
    std::shared_ptr<const ImageAnalysis> shownImage() const;
    bool imageLoading() const;
    int instructionAt(int line) const;
    // Layer of the Files view's image each instruction made (by Dockerfile instruction
    // index), from the image's history; cached per image and text.
    const QHash<int, int> &historyLayers() const;
    bool namedByBuild(const ImageAnalysis &image) const; // the last build's steps name its layers
    int lineOfLayer(int layer) const;
    void onCursorMoved();
    void moveCursorTo(int line);
    void markTimeline() const;

    Views m_views;
    Source m_source = Source::None;
    int m_sourceLine = 0;
    int m_sourceLayer = -1;
    StepPick m_pick;
    QString m_loadedArgument; // the Files view's image at its last loaded()

    mutable std::shared_ptr<const ImageAnalysis> m_changesImage; // what m_pick.changes was read from
    mutable std::shared_ptr<const ImageAnalysis> m_mappedImage;  // and m_historyLayers, with the text's
    mutable quint64 m_mappedGeneration = 0;                      // analysis
    mutable bool m_historyValid = false;
    mutable QHash<int, int> m_historyLayers;
};

} // namespace stagecraft::ui
