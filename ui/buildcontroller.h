// One window's builds as the views show them: starts builds on the window's BuildSession,
// turns their events (live, or read back from a build record) into graph states, gutter
// badges, log lines and the progress bar, and writes the last build out as a record.
// The window keeps the document, the toolbar and the image views; this class keeps what
// the build said, so the window is not also a build controller.
#pragma once

#include "core/builder/builder.h"
#include "core/progress/buildprogress.h"
#include "core/progress/buildrecord.h"
#include "core/store/imagestore.h"

#include <QHash>
#include <QObject>
#include <QThreadPool>

#include <memory>

class QProgressBar;

namespace stagecraft {
class LastBuildImage;
}

namespace stagecraft::ui {

class BuildLogModel;
class BuildLogView;
class BuildSession;
class DockerfileEditor;
class LiveAnalysis;
class StageGraphView;

class BuildController : public QObject
{
    Q_OBJECT

public:
    // The widgets a build draws on; the window owns them.
    struct Views
    {
        DockerfileEditor *editor = nullptr;
        StageGraphView *graph = nullptr;
        BuildLogModel *log = nullptr;
        BuildLogView *logView = nullptr;
        QProgressBar *progress = nullptr;
        // Given the analysed image after a successful build, so the live checks' size rules
        // (PackageCacheInLayer's bytes, WrittenThenDeleted) speak of it; may be null.
        LiveAnalysis *analysis = nullptr;
    };

    // A step that ended, as the badges and the Layers/Files links need it.
    struct BuiltStep
    {
        int stage = -1;
        int line = 0;
        QString layerDigest;
        qint64 size = 0;
        qint64 durationMs = 0;
        bool cached = false;
        QString cacheReason; // a step that ran: why the cache did not have it
        bool makesLayer = false;
    };

    BuildController(BuildSession *session, const Views &views, QObject *parent = nullptr);
    ~BuildController() override;

    // Starts `request` (the editor's `text`, as parsed) on the session; `description` is
    // the log's first line and `engine` the record's engine name. False with `error` when
    // the session is busy.
    bool startBuild(const ImageStore &store, const BuildRequest &request, const QString &text,
                    const QString &engine, const QString &description, QString *error);
    // Forgets the build shown: graph states, badges, log, progress model, the built image.
    void reset();

    // A build record (or a rawjson log beside its Dockerfile), read but not yet shown:
    // its build goes into `progress`.
    static Expected<BuildRecord> readRecord(const QString &path, BuildProgress &progress);
    // Shows a record's build on the graph, badges and log: the same path as a live build's
    // events. The window puts the record's Dockerfile in the editor first.
    void showRecord(const BuildRecord &record, const BuildProgress &progress);
    // The last build (finished or failed) as a record.
    BuildRecord record() const;
    Expected<void> saveRecord(const QString &path) const;

    void setPullProgress(qint64 done, qint64 total);

    // Sizes speak one language: the uncompressed size (what `docker images` and the Layers
    // and Files views show). A build's events carry the compressed blob sizes, so until the
    // images are measured after the build the badges and nodes say "compressed"; then they
    // switch to the uncompressed figures, with the compressed one in the tooltip.
    struct LayerSize
    {
        qint64 uncompressed = 0;
        qint64 compressed = 0;
    };
    bool sizesMeasured() const { return m_measured; }
    bool waitUntilMeasured(int timeoutMs); // tests, screenshots
    LayerSize layerSize(const QString &layerDigest) const { return m_layerSizes.value(layerDigest); }
    qint64 stageImageSize(int stageIndex) const { return m_stageImageSizes.value(stageIndex, -1); }
    // The node's text for a finished stage: its time (unless all cached) and image size.
    QString stageDetail(int stageIndex) const;
    // Forgets the last image too (Run has nothing to start): another document is open.
    void forgetImage();
    // The image the last successful build made, analysed for the checks (null until the
    // images are measured, and after reset() or forgetImage()).
    std::shared_ptr<const LastBuildImage> lastBuildImage() const { return m_lastBuildImage; }

    const BuildProgress &buildState() const { return m_buildState; }
    const QList<BuiltStep> &builtSteps() const { return m_builtSteps; }
    QString lastImage() const { return m_lastImage; } // "sha256:<manifest hex>"
    QString buildTarget() const { return m_buildTarget; }
    int buildCount() const { return m_buildCount; }
    const QHash<int, QString> &stageManifests() const { return m_stageManifests; }
    // The editor line of the instruction that made layer `layerDigest` in the last build.
    int lineOfLayer(const QString &layerDigest) const;

    // "1.2 s", "2 min 5 s": a stage's or step's time at a glance.
    static QString formatDuration(qint64 ms);

Q_SIGNALS:
    void statusMessage(const QString &text, int timeoutMs);
    void sizesChanged(); // the images were measured: badges and nodes show uncompressed sizes
    // A build ended; on success lastImage() and stageManifests() say what it made.
    void finished(bool ok);

private:
    void onBuildEvent(const BuildEvent &event);
    void onBuildFinished(bool ok, const QString &error, ErrorKind errorKind, const BuildResult &result,
                         const QHash<int, QString> &stageManifests);
    void updateBadges();
    void updateProgress();
    void measureSizes(const ImageStore &store);
    void applySizes(quint64 generation, const QHash<QString, LayerSize> &layers,
                    const QHash<int, qint64> &stages, std::shared_ptr<const LastBuildImage> image);
    void setLastBuildImage(std::shared_ptr<const LastBuildImage> image);

    struct StageEnd
    {
        bool allCached = false;
        qint64 durationMs = 0;
        qint64 compressedBytes = 0;
    };

    BuildSession *m_session;
    Views m_views;
    std::optional<ImageStore> m_store; // the store of the build shown
    QList<BuiltStep> m_builtSteps;
    BuildProgress m_buildState; // the stages' and steps' progress, fed the build's events
    BuildRecord m_recordBase;   // what a saved record says besides the events (text, args, target)
    QHash<int, QString> m_stageManifests;
    QString m_lastImage;
    QString m_buildTarget;
    int m_buildCount = 0;
    qint64 m_pullDone = 0;
    qint64 m_pullTotal = 0;
    QHash<int, StageEnd> m_stageEnds;
    QHash<QString, LayerSize> m_layerSizes; // by layer digest
    QHash<int, qint64> m_stageImageSizes;   // each stage's image, uncompressed
    bool m_measured = false;
    quint64 m_generation = 0; // measurements of an older build are dropped
    std::shared_ptr<const LastBuildImage> m_lastBuildImage;
    QThreadPool m_pool; // measures the built images off the GUI thread
};

} // namespace stagecraft::ui
