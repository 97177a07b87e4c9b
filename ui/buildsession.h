// Runs one build, or one container of a built image, at a time on a worker thread for the
// window: the builder's events and the container's output come back as queued signals so
// the window never waits, and cancel() stops the work and every process it started.
#pragma once

#include "core/builder/builder.h"
#include "core/builder/containerrun.h"
#include "core/common/cancellation.h"
#include "core/engine/buildengine.h"
#include "core/store/imagestore.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <memory>
#include <thread>

namespace stagecraft::ui {

struct HeldStep;

class BuildSession : public QObject
{
    Q_OBJECT

public:
    explicit BuildSession(QObject *parent = nullptr);
    ~BuildSession() override; // cancels and waits for the worker

    bool isBusy() const { return m_busy; }

    // The window's Run: the image's entrypoint and command as `stagecraft run` runs them,
    // output and the sandbox's notices to `log`. Returns the exit code, or an error message
    // for anything but a non-zero exit. Blocks: call it off the GUI thread.
    static Expected<int> runImage(const ImageStore &store, const ContainerOptions &options,
                                  const CancellationToken &cancel,
                                  const std::function<void(const QString &)> &log);

    // Builds `request` into `store`. After a successful build each stage the target needed
    // is built once more, fully cached and untagged, to learn its manifest (for the Files
    // view); that takes milliseconds. A base image the store lacks is pulled from its
    // registry (or mirror, as registries.conf sets). False when a job is already running.
    // With the docker engine (setEngine) `dockerfileText` is what Docker builds, and the
    // stages' manifests are not known (Docker keeps its stages to itself).
    bool startBuild(const ImageStore &store, const BuildRequest &request, const QString &dockerfileText = {});
    // The engine the next builds use (the embedded builder unless set).
    void setEngine(EngineKind kind, const DockerEngineOptions &docker = {})
    {
        m_engine = kind;
        m_docker = docker;
    }
    // Runs `options.image` from `store` like `stagecraft run`: its entrypoint and command
    // (or the options') in the sandbox on a throwaway layer, output streamed by runOutput().
    bool startRun(const ImageStore &store, const ContainerOptions &options);
    // Stops the running job; its processes are killed and it finishes soon after with an
    // error of kind ErrorKind::Cancelled (a run with the "cancelled" message).
    void cancel();
    // Runs the event loop until the job is done; false on timeout (tests, closing).
    bool waitUntilIdle(int timeoutMs);

    // When on, a build whose RUN fails keeps the step (its filesystem as the command left
    // it) and waits, after failedStepHeld(), until openFailedStepShell()'s shell has ended
    // or releaseFailedStep() declines; cancel() ends the wait (and the shell) too.
    void setKeepFailedStep(bool keep) { m_keepFailedStep = keep; }
    bool keepsFailedStep() const { return m_keepFailedStep; }
    bool hasFailedStep() const { return m_held != nullptr; }
    // The shell in the held step for TerminalPanel::start(): it runs DebugShell::run on the
    // panel's pty and lets the build finish when the shell ends (one shell per held step).
    // Empty when no step is held.
    std::function<Expected<int>(int ptySlaveFd, const CancellationToken &cancel)> openFailedStepShell();
    void releaseFailedStep();

Q_SIGNALS:
    void busyChanged(bool busy);
    void buildEvent(const stagecraft::BuildEvent &event);
    // `stageManifests`: stage index → "sha256:<hex>" of that stage's manifest; `errorKind`
    // tells a cancelled build from a failed one.
    void buildFinished(bool ok, const QString &error, stagecraft::ErrorKind errorKind,
                       const stagecraft::BuildResult &result, const QHash<int, QString> &stageManifests);
    // A missing base image is being pulled: bytes received of all its blobs so far.
    void pullProgress(qint64 done, qint64 total);
    void runOutput(const QString &line);
    // `exitCode` is the container's exit code (-1 when it did not run); `error` is empty on
    // success.
    void runFinished(int exitCode, const QString &error);
    // A RUN failed and its step is held (setKeepFailedStep); `instruction` as written.
    void failedStepHeld(const QString &instruction, int stage, int exitCode);
    // The held step is gone: declined, its shell ended, or the build cancelled.
    void failedStepReleased();

private:
    bool begin();
    void finish();
    template <typename Function> void post(Function &&function);

    std::thread m_worker;
    CancellationToken m_cancel;
    quint64 m_generation = 0; // results of an abandoned job are dropped
    bool m_busy = false;
    bool m_keepFailedStep = false;
    EngineKind m_engine = EngineKind::Embedded;
    DockerEngineOptions m_docker;
    std::shared_ptr<HeldStep> m_held; // GUI thread
};

} // namespace stagecraft::ui
