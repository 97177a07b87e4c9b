// The docker command line as the docker engine drives it: which program, which daemon (the
// --host/--context flags, else DOCKER_HOST and the current context, as docker itself
// decides), the environment it runs in, and short commands run to their end with a bound
// on time and output. probe() says whether it can build with BuildKit and why not.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/engine/buildengine.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct DockerProbe
{
    EngineAvailability availability;
    QString clientVersion;
    QString serverVersion;
    bool buildx = false; // the buildx plugin answers: builds go through `docker buildx build`
};

class DockerClient
{
public:
    struct Output
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    static constexpr qsizetype kMaxOutputBytes = 1024 * 1024; // of a short command

    // The program to run; an error (with the remedy) when there is none.
    static Expected<DockerClient> find(const DockerEngineOptions &options);

    QString program() const { return m_program; }
    const DockerEngineOptions &options() const { return m_options; }
    // --host/--context, before the command.
    QStringList globalArguments() const;
    // The caller's environment with DOCKER_BUILDKIT=1 (a 20.10 client builds with BuildKit
    // only when asked) and DOCKER_CONFIG when set.
    QProcessEnvironment environment() const;
    // The daemon the client talks to, for messages: "unix:///var/run/docker.sock".
    QString daemonName() const;

    // Runs `docker <global> args` to its end (killed after `timeoutMs` or on cancel).
    Expected<Output> run(const QStringList &args, int timeoutMs, const CancellationToken &cancel = {}) const;
    // Client and server versions, the buildx plugin, and whether a BuildKit build can run.
    DockerProbe probe() const;

private:
    DockerClient(QString program, DockerEngineOptions options)
        : m_program(std::move(program))
        , m_options(std::move(options))
    {}

    QString m_program;
    DockerEngineOptions m_options;
};

} // namespace stagecraft
