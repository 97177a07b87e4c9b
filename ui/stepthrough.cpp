#include "ui/stepthrough.h"

#include "core/analysis/imageanalysis.h"
#include "core/checks/lastbuild.h"
#include "core/plan/buildplan.h"
#include "core/progress/buildprogress.h"
#include "ui/buildcontroller.h"
#include "ui/dockerfileeditor.h"
#include "ui/filesview.h"
#include "ui/liveanalysis.h"
#include "ui/stepsummary.h"
#include "ui/timelineview.h"

#include <QSet>
#include <QTextBlock>

#include <algorithm>

namespace stagecraft::ui {

namespace {

// Stages tried as the target when an image's history is matched to the file: a hostile
// file may have thousands, and a real image comes from one of the first few.
constexpr int kMaxStagesTried = 16;

int lastLineOf(const SourceRange &range)
{
    int last = range.end.line;
    if (range.end.column <= 1 && last > range.start.line)
        --last; // the exclusive end sits at the start of the next line
    return std::max(range.start.line, last);
}

bool makesLayer(InstructionKind kind)
{
    return kind == InstructionKind::Run || kind == InstructionKind::Copy || kind == InstructionKind::Add ||
           kind == InstructionKind::Workdir;
}

// The instruction on one line, bounded: a minified RUN may be kilobytes long.
QString shortText(const QString &text)
{
    constexpr int kMaxChars = 200;
    QString simple = text.simplified();
    if (simple.size() > kMaxChars)
        simple = simple.left(kMaxChars - 1) + QChar(0x2026);
    return simple;
}

} // namespace

StepThrough::StepThrough(const Views &views, QObject *parent)
    : QObject(parent)
    , m_views(views)
{
    if (m_views.editor)
        connect(m_views.editor, &QPlainTextEdit::cursorPositionChanged, this, &StepThrough::onCursorMoved);
    if (m_views.files) {
        connect(m_views.files, &FilesView::loaded, this, [this] {
            m_loadedArgument = m_views.files->argument();
            resolve();
        });
        connect(m_views.files, &FilesView::layerActivated, this,
                [this](int layer) { pickLayer(QString(), layer); });
    }
    if (m_views.analysis)
        connect(m_views.analysis, &LiveAnalysis::analyzed, this, [this] {
            if (m_source == Source::Line)
                resolve();
        });
    if (m_views.builds)
        connect(m_views.builds, &BuildController::finished, this, &StepThrough::resolve);
    if (m_views.summary)
        m_views.summary->showPick(m_pick);
}

StepThrough::~StepThrough() = default;

void StepThrough::onCursorMoved()
{
    if (!m_views.editor)
        return;
    // A selection of several steps (a graph node selects its stage) picks the last: the
    // layer on top of the stage's image.
    const QTextCursor cursor = m_views.editor->textCursor();
    const int end = std::max(cursor.position(), cursor.anchor());
    pickLine(m_views.editor->document()->findBlock(end).blockNumber() + 1);
}

void StepThrough::pickLine(int line)
{
    m_source = Source::Line;
    m_sourceLine = line;
    resolve();
}

void StepThrough::pickLayer(const QString &argument, int layer)
{
    FilesView *files = m_views.files;
    if (!files)
        return;
    if (!argument.isEmpty() && argument != files->argument())
        files->showImage(argument, QString()); // not a stage of this file: no drags from it
    if (files->selectedLayer() != layer)
        files->selectLayer(layer);
    m_source = Source::Layer;
    m_sourceLayer = layer;
    resolve();
}

void StepThrough::step(int direction)
{
    if (direction == 0)
        return;
    const std::shared_ptr<const ImageAnalysis> image = shownImage();
    const QList<Instruction> &instructions =
        m_views.analysis ? m_views.analysis->result().dockerfile.instructions : QList<Instruction>();
    // A layer no line of this file made (another image, the base image's): its neighbours.
    const bool byLayer = instructions.isEmpty() ||
                         (image && m_source == Source::Layer && m_pick.line == 0 && m_pick.layer >= 0);
    if (byLayer) {
        if (!image || image->layers().isEmpty())
            return;
        const int count = int(image->layers().size());
        const int from = m_pick.layer >= 0 ? m_pick.layer : (direction > 0 ? -1 : count);
        const int to = std::clamp(from + (direction > 0 ? 1 : -1), 0, count - 1);
        if (to != m_pick.layer)
            pickLayer(QString(), to);
        return;
    }
    if (!m_views.editor)
        return;
    const int line = m_source == Source::Line && m_sourceLine > 0
                         ? m_sourceLine
                         : m_views.editor->textCursor().blockNumber() + 1;
    int target = -1;
    if (const int here = instructionAt(line); here >= 0) {
        target = here + (direction > 0 ? 1 : -1);
    } else if (direction > 0) {
        for (int i = 0; i < instructions.size() && target < 0; ++i)
            if (instructions.at(i).range.start.line > line)
                target = i;
    } else {
        for (int i = int(instructions.size()) - 1; i >= 0 && target < 0; --i)
            if (instructions.at(i).range.start.line < line)
                target = i;
    }
    if (target < 0 || target >= instructions.size())
        return;
    // The cursor goes to the step's first line; the pick follows the cursor.
    const int targetLine = instructions.at(target).range.start.line;
    moveCursorTo(targetLine);
    if (m_source != Source::Line || m_sourceLine != targetLine)
        pickLine(targetLine); // the cursor was already there: no signal came
}

std::shared_ptr<const ImageAnalysis> StepThrough::shownImage() const
{
    if (!m_views.files || m_views.files->argument() != m_loadedArgument)
        return nullptr;
    return m_views.files->analysis();
}

bool StepThrough::imageLoading() const
{
    return m_views.files && m_views.files->isLoading() && !shownImage();
}

int StepThrough::instructionAt(int line) const
{
    if (!m_views.analysis || line <= 0)
        return -1;
    const QList<Instruction> &instructions = m_views.analysis->result().dockerfile.instructions;
    for (int i = 0; i < instructions.size(); ++i) {
        const SourceRange &r = instructions.at(i).range;
        if (r.start.line <= line && line <= lastLineOf(r))
            return i;
        if (r.start.line > line)
            break;
    }
    return -1;
}

void StepThrough::resolve()
{
    StepPick pick;
    if (m_source == Source::Line)
        resolveLine(pick);
    else if (m_source == Source::Layer)
        resolveLayer(pick);
    // The step's layer is shown in the Files view: the window already selects a build's
    // (by the store's digests); an image matched by its history, or one that was loading
    // when its layer was picked, gets it here.
    if (pick.state == StepPick::State::Layer && m_views.files && m_views.files->selectedLayer() != pick.layer)
        m_views.files->selectLayer(pick.layer);
    m_pick = pick;
    if (m_views.summary)
        m_views.summary->showPick(m_pick);
    markTimeline();
    Q_EMIT picked();
    // A layer picked in Layers or Files shows its line in the editor too (the window does it
    // for a build's layers; this for an image's matched by its history).
    if (m_source == Source::Layer && m_pick.line > 0 && m_views.editor) {
        const int here = m_views.editor->textCursor().blockNumber() + 1;
        if (here < m_pick.line || here > m_pick.lastLine)
            moveCursorTo(m_pick.line);
    }
}

void StepThrough::markTimeline() const
{
    TimelineView *timeline = m_views.timeline;
    const BuildProgress *progress = timeline ? timeline->progress() : nullptr;
    if (!progress)
        return;
    if (m_pick.line > 0)
        for (const int stage : progress->stageIndexes())
            for (const StepProgress &step : progress->stage(stage)->steps)
                if (step.stage >= 0 && step.range.start.line == m_pick.line) {
                    timeline->selectStep(stage, step.step);
                    return;
                }
    timeline->selectStep(-1, -1);
}

void StepThrough::moveCursorTo(int line)
{
    // Focus stays where it is, so the keys keep stepping from the Files view too.
    const QTextBlock block = m_views.editor->document()->findBlockByNumber(line - 1);
    if (!block.isValid())
        return;
    m_views.editor->setTextCursor(QTextCursor(block));
    m_views.editor->centerCursor();
}

void StepThrough::resolveLine(StepPick &pick) const
{
    const int index = instructionAt(m_sourceLine);
    if (index < 0)
        return;
    const Instruction &instruction = m_views.analysis->result().dockerfile.instructions.at(index);
    pick.line = instruction.range.start.line;
    pick.lastLine = lastLineOf(instruction.range);
    pick.keyword = instruction.kind == InstructionKind::Unknown ? instruction.keyword.toUpper()
                                                                : instructionKeyword(instruction.kind);
    pick.text = shortText(instruction.original);
    if (instruction.kind == InstructionKind::From) {
        pick.state = StepPick::State::From;
        return;
    }
    if (instruction.kind == InstructionKind::Unknown) {
        pick.state = StepPick::State::NotBuilt; // no builder runs it
        return;
    }
    if (!makesLayer(instruction.kind)) {
        pick.state = StepPick::State::NoLayer;
        return;
    }
    const std::shared_ptr<const ImageAnalysis> image = shownImage();
    const bool loading = imageLoading();
    if (image)
        pick.layerCount = int(image->layers().size());
    // The last build's step on this line: its layer digest names the layer.
    if (m_views.builds) {
        for (const BuildController::BuiltStep &built : m_views.builds->builtSteps()) {
            if (built.line != pick.line)
                continue;
            pick.cached = built.cached;
            if (!built.makesLayer) {
                pick.state = StepPick::State::NoLayer;
                return;
            }
            if (loading) {
                pick.state = StepPick::State::Loading;
                return;
            }
            for (int layer = 0; image && layer < image->layers().size(); ++layer)
                if (image->layers().at(layer).digest == built.layerDigest) {
                    fillLayer(pick, layer);
                    return;
                }
            break; // the Files view shows another image: its history may still name the step
        }
    }
    if (loading) {
        pick.state = StepPick::State::Loading;
        return;
    }
    // An image whose layers the last build's steps name needs no history: a line they do
    // not name was added or edited since, and matching the history again on each keystroke
    // would cost a plan. (A docker engine's image may carry other digests: its history counts.)
    const int layer = image && !namedByBuild(*image) ? historyLayers().value(index, -1) : -1;
    if (layer >= 0)
        fillLayer(pick, layer);
    else
        pick.state = StepPick::State::NotBuilt;
}

void StepThrough::resolveLayer(StepPick &pick) const
{
    const std::shared_ptr<const ImageAnalysis> image = shownImage();
    if (!image) {
        pick.state = imageLoading() ? StepPick::State::Loading : StepPick::State::None;
        return;
    }
    if (m_sourceLayer < 0 || m_sourceLayer >= image->layers().size())
        return;
    fillLayer(pick, m_sourceLayer);
    pick.layerCount = int(image->layers().size());
    const int line = lineOfLayer(m_sourceLayer);
    const int index = instructionAt(line);
    if (index < 0)
        return;
    const Instruction &instruction = m_views.analysis->result().dockerfile.instructions.at(index);
    pick.line = instruction.range.start.line;
    pick.lastLine = lastLineOf(instruction.range);
    pick.keyword = instructionKeyword(instruction.kind);
    pick.text = shortText(instruction.original);
}

void StepThrough::fillLayer(StepPick &pick, int layer) const
{
    const std::shared_ptr<const ImageAnalysis> image = shownImage();
    pick.state = StepPick::State::Layer;
    pick.layer = layer;
    pick.layerCount = int(image->layers().size());
    // The same layer picked again (each cursor move on its lines) is not measured again.
    if (m_pick.state == StepPick::State::Layer && m_pick.layer == layer && m_pick.changes.layer == layer &&
        m_changesImage == image)
        pick.changes = m_pick.changes;
    else
        pick.changes = LayerStep::of(*image, layer);
    m_changesImage = image;
    if (pick.text.isEmpty())
        pick.text = shortText(pick.changes.createdBy);
}

bool StepThrough::namedByBuild(const ImageAnalysis &image) const
{
    if (!m_views.builds)
        return false;
    QSet<QString> digests;
    for (const LayerReport &layer : image.layers())
        digests.insert(layer.digest);
    for (const BuildController::BuiltStep &built : m_views.builds->builtSteps())
        if (built.makesLayer && digests.contains(built.layerDigest))
            return true;
    return false;
}

const QHash<int, int> &StepThrough::historyLayers() const
{
    const std::shared_ptr<const ImageAnalysis> image = shownImage();
    const quint64 generation = m_views.analysis ? m_views.analysis->result().generation : 0;
    if (m_historyValid && image == m_mappedImage && generation == m_mappedGeneration)
        return m_historyLayers;
    m_historyValid = true;
    m_mappedImage = image;
    m_mappedGeneration = generation;
    m_historyLayers.clear();
    if (!image || !m_views.analysis)
        return m_historyLayers;
    QStringList createdBy;
    for (const LayerReport &layer : image->layers())
        createdBy.append(layer.createdBy);
    // The image may be any stage's: the stage whose chain explains most of its layers.
    const auto dockerfile = std::make_shared<const Dockerfile>(m_views.analysis->result().dockerfile);
    const int stages = std::min(int(m_views.analysis->result().plan.stages.size()), kMaxStagesTried);
    for (int stage = 0; stage < stages; ++stage) {
        PlanOptions options;
        options.target = QString::number(stage);
        const BuildPlan plan = BuildPlan::fromDockerfile(dockerfile, options);
        QHash<int, int> mapped = LastBuild::instructionLayers(plan, createdBy);
        if (mapped.size() > m_historyLayers.size())
            m_historyLayers = std::move(mapped);
    }
    return m_historyLayers;
}

int StepThrough::lineOfLayer(int layer) const
{
    const std::shared_ptr<const ImageAnalysis> image = shownImage();
    if (!image || layer < 0 || layer >= image->layers().size())
        return 0;
    if (m_views.builds) {
        const int line = m_views.builds->lineOfLayer(image->layers().at(layer).digest);
        if (line > 0)
            return line;
    }
    const QList<Instruction> &instructions =
        m_views.analysis ? m_views.analysis->result().dockerfile.instructions : QList<Instruction>();
    const QHash<int, int> &mapped = historyLayers();
    for (auto it = mapped.cbegin(); it != mapped.cend(); ++it)
        if (it.value() == layer && it.key() >= 0 && it.key() < instructions.size())
            return instructions.at(it.key()).range.start.line;
    return 0;
}

} // namespace stagecraft::ui
