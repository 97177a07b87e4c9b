#include "ui/buildcontroller.h"

#include "core/analysis/bytesize.h"
#include "core/analysis/imageanalysis.h"
#include "core/analysis/imagesource.h"
#include "core/imagechecks/lastbuildimage.h"
#include "core/store/imagestore.h"
#include "ui/buildlogmodel.h"
#include "ui/buildlogview.h"
#include "ui/buildsession.h"
#include "ui/dockerfileeditor.h"
#include "ui/eventwait.h"
#include "ui/liveanalysis.h"
#include "ui/sizetext.h"
#include "ui/stagegraphview.h"

#include <QFileInfo>
#include <QLocale>
#include <QProgressBar>

namespace stagecraft::ui {

BuildController::BuildController(BuildSession *session, const Views &views, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_views(views)
{
    connect(m_session, &BuildSession::buildEvent, this, &BuildController::onBuildEvent);
    connect(m_session, &BuildSession::buildFinished, this, &BuildController::onBuildFinished);
    connect(m_session, &BuildSession::pullProgress, this, &BuildController::setPullProgress);
    m_pool.setMaxThreadCount(1);
}

BuildController::~BuildController()
{
    // Workers post back to this object; none may still run once it is gone.
    m_pool.waitForDone();
}

QString BuildController::formatDuration(qint64 ms)
{
    if (ms < 60000)
        return tr("%1 s").arg(QLocale().toString(ms / 1000.0, 'f', 1));
    return tr("%1 min %2 s").arg(ms / 60000).arg((ms % 60000) / 1000);
}

bool BuildController::startBuild(const ImageStore &store, const BuildRequest &request, const QString &text,
                                 const QString &engine, const QString &description, QString *error)
{
    if (m_session->isBusy()) {
        if (error)
            *error = tr("A build or run is in progress; cancel it first.");
        return false;
    }
    reset();
    m_store = store;
    m_pullDone = m_pullTotal = 0;
    m_buildTarget = request.target;
    m_recordBase = BuildRecord();
    m_recordBase.dockerfile = text;
    m_recordBase.dockerfileName = QFileInfo(request.dockerfile).fileName();
    for (auto it = request.buildArgs.cbegin(); it != request.buildArgs.cend(); ++it)
        m_recordBase.buildArgs.insert(it.key(), it.value());
    m_recordBase.target = request.target;
    m_recordBase.engine = engine;
    m_views.log->append(-1, QString(), BuildLogModel::Kind::Info, description);
    m_views.progress->setRange(0, 0);
    m_views.progress->setFormat(tr("Starting…"));
    m_views.progress->setVisible(true);
    if (!m_session->startBuild(store, request, text)) {
        if (error)
            *error = tr("A build or run is in progress; cancel it first.");
        return false;
    }
    return true;
}

void BuildController::reset()
{
    ++m_generation;
    m_measured = false;
    m_layerSizes.clear();
    m_stageImageSizes.clear();
    m_stageEnds.clear();
    m_builtSteps.clear();
    m_buildState.clear();
    m_stageManifests.clear();
    m_views.graph->clearStageStates();
    m_views.editor->clearLayerBadges();
    m_views.log->clear();
    m_views.logView->setStages({});
    setLastBuildImage(nullptr);
}

void BuildController::forgetImage()
{
    m_lastImage.clear();
    setLastBuildImage(nullptr);
}

void BuildController::setLastBuildImage(std::shared_ptr<const LastBuildImage> image)
{
    if (!image && !m_lastBuildImage)
        return;
    m_lastBuildImage = std::move(image);
    if (m_views.analysis)
        m_views.analysis->setLastBuild(m_lastBuildImage);
}

Expected<BuildRecord> BuildController::readRecord(const QString &path, BuildProgress &progress)
{
    Expected<BuildRecord> record = BuildRecord::open(path);
    if (!record)
        return record;
    if (Expected<void> loaded = record->load(progress); !loaded)
        return std::unexpected(loaded.error());
    return record;
}

void BuildController::showRecord(const BuildRecord &record, const BuildProgress &progress)
{
    reset();
    m_lastImage.clear();
    m_recordBase = record;
    m_recordBase.progress = {};
    for (const BuildEvent &event : progress.toEvents())
        onBuildEvent(event);
    if (progress.failedLine() > 0)
        m_views.editor->setBuildFailure(progress.failedLine(), progress.error());
}

Expected<void> BuildController::saveRecord(const QString &path) const
{
    return record().write(path);
}

BuildRecord BuildController::record() const
{
    BuildRecord record = BuildRecord::fromProgress(m_buildState);
    record.dockerfile = m_recordBase.dockerfile;
    record.dockerfileName = m_recordBase.dockerfileName;
    record.buildArgs = m_recordBase.buildArgs;
    record.target = m_recordBase.target;
    if (!m_recordBase.engine.isEmpty())
        record.engine = m_recordBase.engine;
    record.tags = m_recordBase.tags;
    // A live build's image, or the one of the record shown; none for a failed build.
    if (m_buildState.state() == ProgressState::Done)
        record.resultDigest = m_recordBase.resultDigest.isEmpty() ? m_lastImage : m_recordBase.resultDigest;
    return record;
}

void BuildController::setPullProgress(qint64 done, qint64 total)
{
    m_pullDone = done;
    m_pullTotal = done >= total ? 0 : total;
    updateProgress();
}

void BuildController::updateProgress()
{
    QProgressBar *bar = m_views.progress;
    if (m_pullTotal > 0) {
        // A pull's bytes, scaled to kB so they fit an int.
        bar->setRange(0, int(m_pullTotal / 1024));
        bar->setValue(int(m_pullDone / 1024));
        bar->setFormat(tr("Pulling %1 of %2").arg(sizeText(m_pullDone), sizeText(m_pullTotal)));
        return;
    }
    const int total = m_buildState.totalSteps();
    const int done = m_buildState.finishedSteps();
    bar->setRange(0, std::max(1, total));
    bar->setValue(std::min(done, total));
    // All stages together, so not "step N of M" as a stage's node says.
    bar->setFormat(tr("%1 of %2 steps (all stages)").arg(done).arg(total));
}

void BuildController::updateBadges()
{
    QHash<int, LayerBadge> badges;
    for (const BuiltStep &built : std::as_const(m_builtSteps)) {
        LayerBadge badge;
        if (built.cached) {
            badge.kind = LayerBadge::Kind::Cached;
            badge.text = tr("cached");
        } else if (built.makesLayer && built.size > 0) {
            badge.kind = LayerBadge::Kind::Added;
            const auto measured = m_layerSizes.constFind(built.layerDigest);
            badge.text = measured != m_layerSizes.constEnd()
                             ? QStringLiteral("+") + sizeText(measured->uncompressed)
                             : tr("+%1 compressed").arg(sizeText(built.size));
        } else {
            badge.kind = LayerBadge::Kind::Empty;
            badge.text = sizeText(0);
        }
        QStringList tip;
        tip << (built.cached ? tr("Taken from the build cache")
                             : tr("Took %1").arg(formatDuration(built.durationMs)));
        if (!built.cacheReason.isEmpty())
            tip << tr("Not cached: %1").arg(built.cacheReason);
        if (built.makesLayer) {
            const auto measured = m_layerSizes.constFind(built.layerDigest);
            tip << (measured != m_layerSizes.constEnd()
                        ? tr("Layer %1: %2 uncompressed, %3 compressed")
                              .arg(built.layerDigest.left(19), sizeText(measured->uncompressed),
                                   sizeText(built.size))
                        : tr("Layer %1: %2 compressed")
                              .arg(built.layerDigest.left(19), sizeText(built.size)));
        } else
            tip << tr("Changes only the image's configuration (no layer)");
        badge.toolTip = tip.join(QLatin1Char('\n'));
        badges.insert(built.line, badge);
    }
    m_views.editor->setLayerBadges(badges);
}

void BuildController::onBuildEvent(const BuildEvent &event)
{
    StageGraphView *graph = m_views.graph;
    BuildLogModel *log = m_views.log;
    const int line = event.range.start.line;
    m_buildState.apply(event);
    const StageProgress none;
    const StageProgress *found = m_buildState.stage(event.stage);
    const StageProgress &stage = found ? *found : none;
    switch (event.kind) {
    case BuildEventKind::StageQueued: {
        graph->setStageState(event.stage, StageState::Queued);
        QList<std::pair<int, QString>> stages;
        for (int index : m_buildState.stageIndexes())
            stages.append({index, index == event.stage ? event.stageName
                                                       : graph->graph().stages.value(index).displayName()});
        m_views.logView->setStages(stages);
        break;
    }
    case BuildEventKind::StageStarted: graph->setStageState(event.stage, StageState::Running); break;
    case BuildEventKind::StepStarted:
        graph->setStageState(event.stage, StageState::Running,
                             tr("step %1 of %2").arg(event.step + 1).arg(event.stepCount));
        log->append(event.stage, event.stageName, BuildLogModel::Kind::Step,
                    QStringLiteral("[%1/%2] %3").arg(event.step + 1).arg(event.stepCount).arg(event.text),
                    line);
        break;
    case BuildEventKind::StepLog:
        log->append(event.stage, event.stageName, BuildLogModel::Kind::Output, event.text, line);
        break;
    case BuildEventKind::StepCached:
    case BuildEventKind::StepDone: {
        const bool cached = event.kind == BuildEventKind::StepCached;
        BuiltStep step;
        step.stage = event.stage;
        step.line = line;
        step.layerDigest = event.layerDigest;
        step.size = event.layerSize;
        step.durationMs = event.durationMs;
        step.cached = cached;
        step.cacheReason = event.cacheReason;
        step.makesLayer = !event.layerDigest.isEmpty();
        // The FROM line (step 0) has no layer of its own and gets no badge.
        if (event.step > 0 && line > 0) {
            m_builtSteps.append(step);
            updateBadges();
        }
        if (cached)
            log->append(event.stage, event.stageName, BuildLogModel::Kind::Info, tr("cached"), line);
        if (!event.cacheReason.isEmpty()) {
            log->append(event.stage, event.stageName, BuildLogModel::Kind::Info,
                        tr("not cached: %1").arg(event.cacheReason), line);
            QStringList reasons;
            for (const StepProgress &s : stage.steps)
                if (s.stage >= 0 && !s.cacheReason.isEmpty())
                    reasons << tr("step %1: %2").arg(s.step + 1).arg(s.cacheReason);
            graph->setStageCacheReasons(event.stage, reasons);
        }
        graph->setStageState(
            event.stage, StageState::Running,
            tr("step %1 of %2").arg(std::min(stage.finishedSteps + 1, event.stepCount)).arg(event.stepCount));
        break;
    }
    case BuildEventKind::StageDone:
    case BuildEventKind::StageCached: {
        // Cached: every layer came from the cache (the model's rule).
        const bool allCached = stage.state == ProgressState::Cached;
        m_stageEnds.insert(event.stage, {allCached, event.durationMs, stage.bytes});
        graph->setStageState(event.stage, allCached ? StageState::Cached : StageState::Done,
                             stageDetail(event.stage));
        break;
    }
    case BuildEventKind::StageFailed: {
        const bool cancelled = event.errorKind == ErrorKind::Cancelled;
        graph->setStageState(
            event.stage, cancelled ? StageState::Idle : StageState::Failed,
            cancelled ? QString() : tr("step %1 of %2").arg(stage.finishedSteps + 1).arg(event.stepCount));
        if (!cancelled)
            log->append(event.stage, event.stageName, BuildLogModel::Kind::Error, event.text, line);
        break;
    }
    case BuildEventKind::BuildWarning:
        log->append(event.stage, event.stageName, BuildLogModel::Kind::Warning,
                    tr("Warning: %1").arg(event.text), line);
        break;
    case BuildEventKind::BuildDone:
    case BuildEventKind::BuildFailed: break;
    }
    updateProgress();
}

void BuildController::onBuildFinished(bool ok, const QString &error, ErrorKind errorKind,
                                      const BuildResult &result, const QHash<int, QString> &stageManifests)
{
    BuildLogModel *log = m_views.log;
    m_views.progress->setVisible(false);
    m_pullDone = m_pullTotal = 0;
    if (!ok) {
        if (errorKind == ErrorKind::Cancelled) {
            // Nothing half-built stays on screen: every node goes back to idle.
            m_views.graph->clearStageStates();
            log->append(-1, QString(), BuildLogModel::Kind::Info, tr("The build was cancelled."));
            Q_EMIT statusMessage(tr("Build cancelled"), 5000);
        } else {
            // The failing stage has logged the error already; a build-wide one is new.
            const int last = log->rowCount() - 1;
            if (last < 0 || log->index(last, BuildLogModel::MessageColumn).data().toString() != error)
                log->append(-1, QString(), BuildLogModel::Kind::Error, error);
            Q_EMIT statusMessage(tr("Build failed"), 8000);
            // The step that failed is the last one that started without finishing.
            int failedLine = 0;
            for (int row = log->rowCount() - 1; row >= 0 && failedLine == 0; --row) {
                const QModelIndex index = log->index(row, 0);
                if (index.data(BuildLogModel::KindRole).toInt() == int(BuildLogModel::Kind::Step))
                    failedLine = index.data(BuildLogModel::LineRole).toInt();
            }
            if (failedLine > 0) {
                m_views.editor->setBuildFailure(failedLine, error);
                m_views.editor->setFocus();
            }
        }
        Q_EMIT finished(false);
        return;
    }
    m_stageManifests = stageManifests;
    m_lastImage = result.manifest.digest.toString();
    ++m_buildCount;
    log->append(-1, QString(), BuildLogModel::Kind::Info,
                tr("Built %1 in %2: %n step(s)", nullptr, result.steps)
                        .arg(m_lastImage.left(19), formatDuration(result.durationMs)) +
                    QStringLiteral(", ") + tr("%n cached", nullptr, result.cachedSteps));
    Q_EMIT statusMessage(tr("Built %1").arg(m_lastImage.left(19)), 8000);
    if (m_store)
        measureSizes(*m_store);
    Q_EMIT finished(true);
}

QString BuildController::stageDetail(int stageIndex) const
{
    const StageEnd end = m_stageEnds.value(stageIndex);
    const qint64 measured = m_stageImageSizes.value(stageIndex, -1);
    const QString size =
        measured >= 0 ? sizeText(measured) : tr("%1 compressed").arg(sizeText(end.compressedBytes));
    return end.allCached ? size : QStringLiteral("%1 · %2").arg(formatDuration(end.durationMs), size);
}

void BuildController::measureSizes(const ImageStore &store)
{
    const quint64 generation = m_generation;
    const QHash<int, QString> manifests = m_stageManifests;
    const QString finalImage = m_lastImage;
    m_pool.start([this, generation, manifests, finalImage, store] {
        QHash<QString, LayerSize> layers;
        QHash<int, qint64> stages;
        QHash<QString, qint64> totals; // stages that end in the same image are measured once
        std::shared_ptr<const ImageAnalysis> finalAnalysis;
        for (auto it = manifests.cbegin(); it != manifests.cend(); ++it) {
            if (const auto known = totals.constFind(it.value()); known != totals.constEnd()) {
                stages.insert(it.key(), *known);
                continue;
            }
            Expected<OpenedImage> opened = ImageSource::analyse(it.value(), &store);
            if (!opened)
                continue; // the nodes keep the compressed figure, labelled so
            for (const LayerReport &report : opened->analysis->layers())
                layers.insert(report.digest, {report.size, report.compressedSize});
            totals.insert(it.value(), opened->analysis->totalSize());
            stages.insert(it.key(), opened->analysis->totalSize());
            if (it.value() == finalImage)
                finalAnalysis = opened->analysis;
        }
        if (!finalAnalysis && !finalImage.isEmpty()) {
            if (Expected<OpenedImage> opened = ImageSource::analyse(finalImage, &store))
                finalAnalysis = opened->analysis;
        }
        // The size rules read the built image: its wasted files and each layer's bytes.
        std::shared_ptr<const LastBuildImage> image;
        if (finalAnalysis)
            image = std::make_shared<const LastBuildImage>(
                LastBuildImage::fromAnalysis(finalImage.left(19), finalAnalysis));
        QMetaObject::invokeMethod(
            this,
            [this, generation, layers, stages, image] { applySizes(generation, layers, stages, image); },
            Qt::QueuedConnection);
    });
}

void BuildController::applySizes(quint64 generation, const QHash<QString, LayerSize> &layers,
                                 const QHash<int, qint64> &stages,
                                 std::shared_ptr<const LastBuildImage> image)
{
    if (generation != m_generation)
        return; // another build or document replaced the one measured
    m_layerSizes = layers;
    m_stageImageSizes = stages;
    m_measured = true;
    updateBadges();
    for (auto it = m_stageEnds.cbegin(); it != m_stageEnds.cend(); ++it)
        m_views.graph->setStageState(it.key(), it.value().allCached ? StageState::Cached : StageState::Done,
                                     stageDetail(it.key()));
    setLastBuildImage(std::move(image));
    Q_EMIT sizesChanged();
}

bool BuildController::waitUntilMeasured(int timeoutMs)
{
    return processEventsUntil([this] { return m_measured; }, timeoutMs);
}

int BuildController::lineOfLayer(const QString &layerDigest) const
{
    for (const BuiltStep &step : m_builtSteps)
        if (step.makesLayer && step.layerDigest == layerDigest)
            return step.line;
    return 0;
}

} // namespace stagecraft::ui
