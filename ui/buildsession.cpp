#include "ui/buildsession.h"

#include "core/builder/debugshell.h"
#include "core/engine/dockerengine.h"
#include "core/registry/registryclient.h"
#include "ui/eventwait.h"

#include <QSet>
#include <QTemporaryDir>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace stagecraft::ui {

// A failed step the build worker holds for the window. The worker stays inside
// BuildRequest::onFailedStep (so `step` stays valid) until `done`; while a shell runs on
// it the worker must not leave, so a cancelled build stops the shell first.
struct HeldStep
{
    std::mutex mutex;
    std::condition_variable changed;
    const FailedStep *step = nullptr;
    bool shellRunning = false;
    bool done = false;
    CancellationToken shellCancel;

    void release()
    {
        {
            std::lock_guard lock(mutex);
            done = true;
        }
        changed.notify_all();
    }
};

BuildSession::BuildSession(QObject *parent)
    : QObject(parent)
{}

BuildSession::~BuildSession()
{
    m_cancel.cancel();
    if (m_worker.joinable())
        m_worker.join();
}

template <typename Function> void BuildSession::post(Function &&function)
{
    // Called from the worker; runs `function` on the GUI thread unless a newer job began.
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(
        this,
        [this, generation, f = std::forward<Function>(function)]() mutable {
            if (generation == m_generation)
                f();
        },
        Qt::QueuedConnection);
}

bool BuildSession::begin()
{
    if (m_busy)
        return false;
    if (m_worker.joinable())
        m_worker.join(); // the previous job has posted its end; the thread is about to exit
    ++m_generation;
    m_cancel = CancellationToken();
    m_busy = true;
    Q_EMIT busyChanged(true);
    return true;
}

void BuildSession::finish()
{
    m_busy = false;
    Q_EMIT busyChanged(false);
}

bool BuildSession::startBuild(const ImageStore &store, const BuildRequest &request,
                              const QString &dockerfileText)
{
    if (!begin())
        return false;
    const CancellationToken cancel = m_cancel;
    if (m_engine == EngineKind::Docker) {
        EngineRequest engineRequest;
        engineRequest.build = request;
        engineRequest.dockerfileText = dockerfileText;
        m_worker = std::thread([this, store, engineRequest, docker = m_docker, cancel] {
            DockerEngine engine(store, docker);
            auto result = engine.build(
                engineRequest,
                [this](const BuildEvent &event) { post([this, event] { Q_EMIT buildEvent(event); }); },
                cancel);
            const bool ok = result.has_value();
            const QString error = ok ? QString() : result.error().message;
            const ErrorKind errorKind = ok ? ErrorKind::Failed : result.error().kind;
            const BuildResult value = ok ? *result : BuildResult();
            post([this, ok, error, errorKind, value] {
                finish();
                Q_EMIT buildFinished(ok, error, errorKind, value, {});
            });
        });
        return true;
    }
    m_worker = std::thread([this, store, job = request, cancel]() mutable {
        if (!job.pullMissingImage)
            job.pullMissingImage = [this, store](const QString &reference,
                                                 const CancellationToken &pullCancel) -> Expected<void> {
                // A registry client belongs to the thread that uses it: this worker.
                auto client = RegistryClient::createDefault();
                if (!client)
                    return std::unexpected(client.error());
                QHash<QString, std::pair<qint64, qint64>> blobs; // digest → done, total
                ImageStore target = store;
                auto pulled = (*client)->pullInto(
                    target, reference, PullOptions{},
                    [this, &blobs](const RegistryProgress &p) {
                        if (p.phase == RegistryProgress::Phase::Present)
                            return;
                        blobs.insert(p.digest.toString(), {p.bytesDone, p.bytesTotal});
                        qint64 done = 0;
                        qint64 total = 0;
                        for (const auto &[d, t] : std::as_const(blobs)) {
                            done += d;
                            total += t;
                        }
                        post([this, done, total] { Q_EMIT pullProgress(done, total); });
                    },
                    pullCancel);
                post([this] { Q_EMIT pullProgress(0, 0); });
                if (!pulled)
                    return std::unexpected(pulled.error());
                return {};
            };
        if (m_keepFailedStep)
            job.onFailedStep = [this](const FailedStep &step, const CancellationToken &buildCancel) {
                auto held = std::make_shared<HeldStep>();
                held->step = &step;
                const QString instruction = step.instruction;
                const int stage = step.stage;
                const int exitCode = step.exitCode;
                post([this, held, instruction, stage, exitCode] {
                    {
                        std::lock_guard lock(held->mutex);
                        if (held->done) // the worker gave up (cancelled) before the window saw it
                            return;
                    }
                    m_held = held;
                    Q_EMIT failedStepHeld(instruction, stage, exitCode);
                });
                std::unique_lock lock(held->mutex);
                while (!held->done) {
                    if (buildCancel.isCancelled()) {
                        if (!held->shellRunning)
                            break;
                        held->shellCancel.cancel();
                    }
                    held->changed.wait_for(lock, std::chrono::milliseconds(50));
                }
                held->done = true;
                held->step = nullptr;
                lock.unlock();
                post([this, held] {
                    if (m_held == held) {
                        m_held.reset();
                        Q_EMIT failedStepReleased();
                    }
                });
            };
        QSet<int> stages;
        const BuildEventSink sink = [this, &stages](const BuildEvent &event) {
            if (event.kind == BuildEventKind::StageQueued)
                stages.insert(event.stage);
            post([this, event] { Q_EMIT buildEvent(event); });
        };
        Builder builder(store);
        auto result = builder.build(job, sink, cancel);
        QHash<int, QString> manifests;
        if (result) {
            for (int stage : std::as_const(stages)) {
                BuildRequest again = job;
                again.target = QString::number(stage);
                again.tags.clear();
                again.noCache = false;
                auto built = builder.build(again, {}, cancel);
                if (built)
                    manifests.insert(stage, built->manifest.digest.toString());
            }
        }
        const bool ok = result.has_value();
        const QString error = ok ? QString() : result.error().message;
        const ErrorKind errorKind = ok ? ErrorKind::Failed : result.error().kind;
        const BuildResult value = ok ? *result : BuildResult();
        post([this, ok, error, errorKind, value, manifests] {
            finish();
            Q_EMIT buildFinished(ok, error, errorKind, value, manifests);
        });
    });
    return true;
}

bool BuildSession::startRun(const ImageStore &store, const ContainerOptions &options)
{
    if (!begin())
        return false;
    const CancellationToken cancel = m_cancel;
    m_worker = std::thread([this, store, options, cancel] {
        auto ran = BuildSession::runImage(store, options, cancel, [this](const QString &line) {
            post([this, line] { Q_EMIT runOutput(line); });
        });
        const int exitCode = ran ? *ran : -1;
        QString error = ran ? QString() : ran.error().message;
        if (ran && *ran != 0)
            error = tr("The container exited with code %1.").arg(*ran);
        post([this, exitCode, error] {
            finish();
            Q_EMIT runFinished(exitCode, error);
        });
    });
    return true;
}

std::function<Expected<int>(int, const CancellationToken &)> BuildSession::openFailedStepShell()
{
    // m_held stays until the worker lets go (failedStepReleased()).
    const std::shared_ptr<HeldStep> held = m_held;
    if (!held)
        return {};
    return [held](int ptySlaveFd, const CancellationToken &cancel) -> Expected<int> {
        {
            std::lock_guard lock(held->mutex);
            if (held->done || !held->step || held->shellRunning)
                return fail(tr("The build no longer holds the failed step."));
            held->shellRunning = true;
            held->shellCancel = cancel; // the build's cancel stops the panel's process too
        }
        Expected<int> ran = DebugShell::run(*held->step, ptySlaveFd, cancel);
        {
            std::lock_guard lock(held->mutex);
            held->shellRunning = false;
            held->done = true;
        }
        held->changed.notify_all();
        if (!ran)
            return fail(ran.error().message);
        return *ran;
    };
}

void BuildSession::releaseFailedStep()
{
    if (m_held) // failedStepReleased() follows once the worker has let go
        m_held->release();
}

void BuildSession::cancel()
{
    m_cancel.cancel();
}

bool BuildSession::waitUntilIdle(int timeoutMs)
{
    return processEventsUntil([this] { return !m_busy; }, timeoutMs);
}

Expected<int> BuildSession::runImage(const ImageStore &store, const ContainerOptions &options,
                                     const CancellationToken &cancel,
                                     const std::function<void(const QString &)> &log)
{
    SandboxCallbacks callbacks;
    callbacks.log = log;
    callbacks.notice = log;
    Expected<ContainerExit> ran = ContainerRun::run(store, options, cancel, callbacks);
    if (!ran)
        return fail(ran.error().message);
    return ran->exitCode;
}

} // namespace stagecraft::ui
