#include "core/build/builder.h"

#include "core/build/layertree.h"
#include "core/context/buildcontext.h"
#include "core/dockerfile/dockerfileparser.h"
#include "core/dockerfile/shelllex.h"
#include "core/exec/changeset.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"
#include "core/oci/layerextractor.h"
#include "core/oci/layerreader.h"
#include "core/oci/layerwriter.h"
#include "core/oci/mediatype.h"
#include "core/plan/metaargs.h"
#include "core/plan/stagegraph.h"
#include "core/store/imagereference.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTemporaryFile>

#include <mutex>
#include <optional>
#include <thread>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace stagecraft {

namespace {

const QString kDefaultPath =
    QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
const QString kHistoryComment = QStringLiteral("buildkit.dockerfile.v0");

QString nowRfc3339()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

// Go's %q of a string, which BuildKit's history texts use.
QString goQuote(const QString &s)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : s) {
        switch (c.unicode()) {
        case '"': out += QStringLiteral("\\\""); break;
        case '\\': out += QStringLiteral("\\\\"); break;
        case '\n': out += QStringLiteral("\\n"); break;
        case '\t': out += QStringLiteral("\\t"); break;
        case '\r': out += QStringLiteral("\\r"); break;
        default: out += c;
        }
    }
    return out + QLatin1Char('"');
}

QString goQuoteList(const QStringList &list)
{
    QStringList quoted;
    for (const QString &s : list)
        quoted.append(goQuote(s));
    return QLatin1Char('[') + quoted.join(QLatin1Char(' ')) + QLatin1Char(']');
}

QString goList(const QStringList &list)
{
    return QLatin1Char('[') + list.join(QLatin1Char(' ')) + QLatin1Char(']');
}

QString sha256Hex(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString envName(const QString &entry)
{
    return entry.section(QLatin1Char('='), 0, 0);
}

void setEnv(QStringList &env, const QString &name, const QString &value)
{
    for (QString &e : env) {
        if (envName(e) == name) {
            e = name + QLatin1Char('=') + value;
            return;
        }
    }
    env.append(name + QLatin1Char('=') + value);
}

QString locationOf(const QString &file, const SourceRange &range)
{
    return QStringLiteral("%1:%2:%3")
        .arg(QFileInfo(file).fileName())
        .arg(range.start.line)
        .arg(range.start.column);
}

// The state of a stage after a step: what the next step builds on.
struct StageState
{
    ImageConfig config;
    QList<Descriptor> layers;
    QString key; // cache chain key
};

struct StepOutcome
{
    Descriptor layer; // set when the step made a layer
    bool cached = false;
};

// Owner names of a stage rootfs, for --chown.
std::optional<qint64> lookupId(const LayerTree &tree, const QString &file, const QString &name)
{
    bool numeric = false;
    const qint64 n = name.toLongLong(&numeric);
    if (numeric)
        return n;
    const auto path = tree.find(file);
    if (!path)
        return std::nullopt;
    QFile f(*path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        const QStringList fields = line.split(QLatin1Char(':'));
        if (fields.size() >= 3 && fields[0] == name)
            return fields[2].toLongLong();
    }
    return std::nullopt;
}

class BuildRun
{
public:
    BuildRun(Builder &builder, const BuildRequest &request, const BuildEventSink &sink,
             const CancellationToken &cancel)
        : m_builder(builder)
        , m_request(request)
        , m_sink(sink)
        , m_cancel(cancel)
    {}

    Expected<BuildResult> run();

private:
    Expected<StageState> buildStage(int index);
    Expected<void> runStep(int stageIndex, const Instruction &ins, int step, int stepCount, StageState &state,
                           QHash<QString, QString> &args, QStringList &argOrder, bool &cmdSet);
    Expected<void> runCommand(const Instruction &ins, StageState &state, const QHash<QString, QString> &args,
                              const QStringList &argOrder, const BuildEvent &base, QString *createdBy);
    Expected<QList<LayerSourceEntry>> copyEntries(const Instruction &ins, int stageIndex,
                                                  const StageState &state, const QHash<QString, QString> &env,
                                                  QString *createdBy, QString *keyExtra);
    Expected<QStringList> lowerDirs(const StageState &state) const;
    Expected<WrittenLayer> writeLayer(QList<LayerSourceEntry> entries);
    bool loadCache(const QString &key, StageState &state) const;
    void saveCache(const QString &key, const StageState &state) const;
    void emitEvent(const BuildEvent &event);
    QHash<QString, QString> expansionEnv(const StageState &state, const QHash<QString, QString> &args) const;
    QString expand(const QString &word, const QHash<QString, QString> &env, QString *error = nullptr) const;
    void addHistory(StageState &state, const QString &createdBy, bool emptyLayer) const;

    Builder &m_builder;
    const BuildRequest &m_request;
    const BuildEventSink &m_sink;
    CancellationToken m_cancel;
    std::mutex m_sinkMutex;
    std::mutex m_resultMutex;
    QString m_dockerfilePath;
    Dockerfile m_dockerfile;
    StageGraph m_graph;
    std::optional<BuildContext> m_context;
    QHash<QString, QString> m_metaEnv;
    QList<std::optional<StageState>> m_results;
    std::atomic_int m_steps{0};
    std::atomic_int m_cached{0};
};

void BuildRun::emitEvent(const BuildEvent &event)
{
    if (!m_sink)
        return;
    std::lock_guard lock(m_sinkMutex);
    m_sink(event);
}

QHash<QString, QString> BuildRun::expansionEnv(const StageState &state,
                                               const QHash<QString, QString> &args) const
{
    QHash<QString, QString> env = args;
    for (const QString &e : state.config.config.env)
        env.insert(envName(e), e.section(QLatin1Char('='), 1));
    return env;
}

QString BuildRun::expand(const QString &word, const QHash<QString, QString> &env, QString *error) const
{
    ShellLex lex(m_dockerfile.directives.escape);
    const ShellResult r = lex.processWord(word, env);
    if (!r.ok()) {
        if (error)
            *error = r.error;
        return word;
    }
    return r.value;
}

void BuildRun::addHistory(StageState &state, const QString &createdBy, bool emptyLayer) const
{
    HistoryEntry h;
    h.created = nowRfc3339();
    h.createdBy = createdBy;
    h.comment = kHistoryComment;
    h.emptyLayer = emptyLayer;
    state.config.history.append(h);
    state.config.created = h.created;
}

bool BuildRun::loadCache(const QString &key, StageState &state) const
{
    if (m_request.noCache)
        return false;
    QFile f(m_builder.store().cacheDir(QStringLiteral("build")) + QLatin1Char('/') + key +
            QStringLiteral(".json"));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    auto config = ImageConfig::parse(
        QJsonDocument(o.value(QStringLiteral("config")).toObject()).toJson(QJsonDocument::Compact));
    if (!config)
        return false;
    QList<Descriptor> layers;
    for (const QJsonValue &v : o.value(QStringLiteral("layers")).toArray()) {
        auto d = Descriptor::fromJson(v.toObject());
        if (!d || !m_builder.store().hasBlob(d->digest))
            return false;
        layers.append(*d);
    }
    if (layers.size() != config->diffIds.size())
        return false;
    state.config = *config;
    state.layers = layers;
    state.key = key;
    return true;
}

void BuildRun::saveCache(const QString &key, const StageState &state) const
{
    QJsonArray layers;
    for (const Descriptor &d : state.layers)
        layers.append(d.toJson());
    QJsonObject o;
    o.insert(QStringLiteral("config"), state.config.toJsonObject());
    o.insert(QStringLiteral("layers"), layers);
    // Written atomically: a killed build never leaves a half entry behind.
    QSaveFile f(m_builder.store().cacheDir(QStringLiteral("build")) + QLatin1Char('/') + key +
                QStringLiteral(".json"));
    if (f.open(QIODevice::WriteOnly)) {
        f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
        f.commit();
    }
}

Expected<QStringList> BuildRun::lowerDirs(const StageState &state) const
{
    QStringList dirs;
    for (qsizetype i = 0; i < state.layers.size(); ++i) {
        auto dir = m_builder.layerDirectory(state.layers[i], state.config.diffIds.value(i), m_cancel);
        if (!dir)
            return std::unexpected(dir.error());
        dirs.append(*dir);
    }
    return dirs;
}

Expected<WrittenLayer> BuildRun::writeLayer(QList<LayerSourceEntry> entries)
{
    QTemporaryFile file(m_builder.store().cacheDir(QStringLiteral("tmp")) + QStringLiteral("/layer-XXXXXX"));
    if (!file.open())
        return fail(QStringLiteral("cannot create a temporary layer file: %1").arg(file.errorString()));
    LayerWriteOptions options;
    auto written = LayerWriter::write(std::move(entries), &file, options, m_cancel);
    if (!written)
        return std::unexpected(written.error());
    file.flush();
    file.seek(0);
    ImageStore store = m_builder.store();
    auto put = store.putBlob(&file, written->digest, written->size);
    if (!put)
        return std::unexpected(put.error());
    return *written;
}

Expected<BuildResult> BuildRun::run()
{
    QElapsedTimer timer;
    timer.start();
    m_dockerfilePath = m_request.dockerfile.isEmpty() ? m_request.contextDir + QStringLiteral("/Dockerfile")
                                                      : m_request.dockerfile;
    QFile file(m_dockerfilePath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(m_dockerfilePath, file.errorString()));
    const QString text = QString::fromUtf8(file.readAll());
    m_dockerfile = DockerfileParser::parse(text);
    for (const Diagnostic &d : m_dockerfile.diagnostics)
        if (d.severity == Severity::Error)
            return fail(QStringLiteral("%1: %2").arg(locationOf(m_dockerfilePath, d.range), d.message));
    PlanOptions options;
    options.target = m_request.target;
    options.buildArgs = m_request.buildArgs;
    options.platform = m_request.platform;
    m_graph = StageGraph::fromDockerfile(m_dockerfile, options);
    for (const Diagnostic &d : m_graph.diagnostics)
        if (d.severity == Severity::Error)
            return fail(QStringLiteral("%1: %2").arg(locationOf(m_dockerfilePath, d.range), d.message));
    if (m_graph.target < 0)
        return fail(QStringLiteral("%1: the Dockerfile has no stage to build").arg(m_dockerfilePath));

    auto context = BuildContext::open(m_request.contextDir, m_dockerfilePath);
    if (!context)
        return std::unexpected(context.error());
    m_context = std::move(*context);

    MetaArgs meta(options);
    for (const Instruction &ins : m_dockerfile.instructions) {
        if (ins.kind == InstructionKind::From)
            break;
        if (ins.kind == InstructionKind::Arg)
            meta.declare(ins, m_dockerfile.directives.escape);
    }
    m_metaEnv = meta.environment();

    m_results.resize(m_graph.stages.size());
    for (const QList<int> &level : m_graph.levels)
        for (int index : level) {
            BuildEvent e;
            e.kind = BuildEventKind::StageQueued;
            e.stage = index;
            e.stageName = m_graph.stages[index].displayName();
            e.stepCount = m_graph.stages[index].stepCount + 1;
            e.range = m_graph.stages[index].range;
            emitEvent(e);
        }

    for (const QList<int> &level : m_graph.levels) {
        QList<std::optional<Error>> errors(level.size());
        std::vector<std::thread> threads;
        for (qsizetype i = 0; i < level.size(); ++i) {
            threads.emplace_back([this, &level, &errors, i] {
                auto result = buildStage(level[i]);
                std::lock_guard lock(m_resultMutex);
                if (result)
                    m_results[level[i]] = std::move(*result);
                else
                    errors[i] = result.error();
            });
        }
        for (std::thread &t : threads)
            t.join();
        for (const auto &error : errors) {
            if (error) {
                BuildEvent e;
                e.kind = BuildEventKind::BuildFailed;
                e.text = error->message;
                emitEvent(e);
                return std::unexpected(*error);
            }
        }
    }

    StageState final = *m_results[m_graph.target];
    ImageStore store = m_builder.store();
    auto configDescriptor = store.putBlob(final.config.toJson(), QString(mediatype::OciConfig));
    if (!configDescriptor)
        return std::unexpected(configDescriptor.error());
    ImageManifest manifest;
    manifest.mediaType = QString(mediatype::OciManifest);
    manifest.config = *configDescriptor;
    manifest.layers = final.layers;
    auto manifestDescriptor = store.putBlob(manifest.toJson(), QString(mediatype::OciManifest));
    if (!manifestDescriptor)
        return std::unexpected(manifestDescriptor.error());
    BuildResult result;
    // References are written last: the blobs they name are complete by now.
    for (const QString &tag : m_request.tags) {
        auto normalised = ImageReference::normalise(tag);
        if (!normalised)
            return std::unexpected(normalised.error());
        auto tagged = store.tag(*normalised, *manifestDescriptor);
        if (!tagged)
            return std::unexpected(tagged.error());
        result.tags.append(*normalised);
    }
    result.manifest = *manifestDescriptor;
    result.imageId = configDescriptor->digest;
    result.steps = m_steps;
    result.cachedSteps = m_cached;
    result.durationMs = timer.elapsed();
    BuildEvent done;
    done.kind = BuildEventKind::BuildDone;
    done.text = result.imageId.toString();
    done.durationMs = result.durationMs;
    emitEvent(done);
    return result;
}

Expected<StageState> BuildRun::buildStage(int index)
{
    const Stage &stage = m_graph.stages[index];
    QElapsedTimer timer;
    timer.start();
    BuildEvent base;
    base.stage = index;
    base.stageName = stage.displayName();
    base.stepCount = stage.stepCount + 1;
    const auto failStage = [&](const Error &error) -> Expected<StageState> {
        BuildEvent e = base;
        e.kind = BuildEventKind::StageFailed;
        e.text = error.message;
        emitEvent(e);
        return std::unexpected(error);
    };
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StageStarted;
        e.range = stage.range;
        emitEvent(e);
    }
    StageState state;
    QList<Instruction> triggers;
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepStarted;
        e.instruction = stage.fromInstruction;
        e.range = stage.fromRange;
        e.text = m_dockerfile.instructions.value(stage.fromInstruction).original;
        emitEvent(e);
    }
    if (stage.baseStage >= 0) {
        std::lock_guard lock(m_resultMutex);
        if (!m_results[stage.baseStage])
            return failStage(Error(QStringLiteral("stage %1 was not built").arg(stage.base)));
        state = *m_results[stage.baseStage];
    } else if (stage.isScratch()) {
        QString os, arch, variant;
        MetaArgs::splitPlatform(stage.platform.isEmpty() ? m_request.platform : stage.platform, &os, &arch,
                                &variant);
        state.config.os = os;
        state.config.architecture = arch;
        state.config.variant = variant;
        state.config.config.workingDir = QStringLiteral("/"); // as BuildKit's empty image has it
        state.key = sha256Hex(QStringLiteral("scratch\n") + os + arch + variant);
    } else {
        auto ref = ImageReference::normalise(stage.base);
        if (!ref)
            return failStage(Error(QStringLiteral("%1: %2").arg(locationOf(m_dockerfilePath, stage.fromRange),
                                                                ref.error().message)));
        auto image = m_builder.store().image(*ref);
        if (!image)
            return failStage(Error(
                QStringLiteral(
                    "%1: base image \"%2\" is not in the store %3: import it with `stagecraft import "
                    "FILE -t %2` (a docker save tarball or an OCI layout)")
                    .arg(locationOf(m_dockerfilePath, stage.fromRange), *ref, m_builder.store().root())));
        state.config = image->config;
        for (const ImageLayer &layer : image->layers)
            state.layers.append(layer.descriptor);
        state.key = sha256Hex(QStringLiteral("image\n") + image->manifestDescriptor.digest.toString());
        for (const QString &trigger : state.config.config.onBuild) {
            const Dockerfile parsed = DockerfileParser::parse(trigger);
            for (const Instruction &ins : parsed.instructions)
                triggers.append(ins);
        }
        state.config.config.onBuild.clear();
    }
    bool hasPath = false;
    for (const QString &e : state.config.config.env)
        hasPath = hasPath || envName(e) == QLatin1String("PATH");
    if (!hasPath)
        state.config.config.env.prepend(kDefaultPath);
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepDone;
        e.instruction = stage.fromInstruction;
        e.range = stage.fromRange;
        emitEvent(e);
    }

    QHash<QString, QString> args;
    QStringList argOrder;
    bool cmdSet = false;
    int step = 0;
    for (const Instruction &ins : std::as_const(triggers)) {
        auto done = runStep(index, ins, 0, base.stepCount, state, args, argOrder, cmdSet);
        if (!done)
            return failStage(done.error());
    }
    for (int i = stage.fromInstruction + 1; i <= stage.lastInstruction; ++i) {
        ++step;
        if (m_cancel.isCancelled())
            return failStage(Error(QStringLiteral("build cancelled")));
        auto done =
            runStep(index, m_dockerfile.instructions[i], step, base.stepCount, state, args, argOrder, cmdSet);
        if (!done) {
            Error error = done.error();
            if (error.message != QLatin1String("build cancelled"))
                error.message = locationOf(m_dockerfilePath, m_dockerfile.instructions[i].range) +
                                QStringLiteral(": ") + error.message;
            return failStage(error);
        }
    }
    BuildEvent e = base;
    e.kind = BuildEventKind::StageDone;
    e.durationMs = timer.elapsed();
    emitEvent(e);
    return state;
}

Expected<void> BuildRun::runStep(int stageIndex, const Instruction &ins, int step, int stepCount,
                                 StageState &state, QHash<QString, QString> &args, QStringList &argOrder,
                                 bool &cmdSet)
{
    QElapsedTimer timer;
    timer.start();
    BuildEvent base;
    base.stage = stageIndex;
    base.stageName = m_graph.stages[stageIndex].displayName();
    base.step = step;
    base.stepCount = stepCount;
    base.instruction = int(&ins - m_dockerfile.instructions.constData());
    if (base.instruction < 0 || base.instruction >= m_dockerfile.instructions.size())
        base.instruction = -1;
    base.range = ins.range;
    base.text = ins.original;
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepStarted;
        emitEvent(e);
    }
    ++m_steps;
    const QHash<QString, QString> env = expansionEnv(state, args);
    QString error;
    const auto words = [&] {
        QStringList out;
        for (const Word &w : ins.args)
            out.append(w.text);
        return out;
    };
    QString createdBy;
    bool makesLayer = false;
    QString keyExtra;
    QList<LayerSourceEntry> copied;
    StageState next = state;
    ContainerConfig &config = next.config.config;

    switch (ins.kind) {
    case InstructionKind::Arg:
        for (const KeyValue &kv : ins.pairs) {
            std::optional<QString> value;
            if (m_request.buildArgs.contains(kv.key))
                value = m_request.buildArgs.value(kv.key);
            else if (kv.hasEquals)
                value = expand(kv.value, env, &error);
            else if (m_metaEnv.contains(kv.key))
                value = m_metaEnv.value(kv.key);
            if (value) {
                args.insert(kv.key, *value);
                if (!argOrder.contains(kv.key))
                    argOrder.append(kv.key);
            }
        }
        if (!error.isEmpty())
            return fail(error);
        {
            BuildEvent e = base;
            e.kind = BuildEventKind::StepDone;
            e.durationMs = timer.elapsed();
            emitEvent(e);
        }
        return {};
    case InstructionKind::Env: {
        QStringList parts;
        QHash<QString, QString> running = env;
        for (const KeyValue &kv : ins.pairs) {
            const QString value = expand(kv.value, running, &error);
            setEnv(config.env, kv.key, value);
            running.insert(kv.key, value);
            parts.append(kv.key + QLatin1Char('=') + value);
        }
        createdBy = QStringLiteral("ENV ") + parts.join(QLatin1Char(' '));
        break;
    }
    case InstructionKind::Label: {
        QStringList parts;
        for (const KeyValue &kv : ins.pairs) {
            const QString key = expand(kv.key, env, &error);
            const QString value = expand(kv.value, env, &error);
            config.labels.insert(key, value);
            parts.append(key + QLatin1Char('=') + value);
        }
        createdBy = QStringLiteral("LABEL ") + parts.join(QLatin1Char(' '));
        break;
    }
    case InstructionKind::Maintainer:
        next.config.author = words().join(QLatin1Char(' '));
        createdBy = QStringLiteral("MAINTAINER ") + next.config.author;
        break;
    case InstructionKind::Expose: {
        QStringList ports;
        for (const QString &w : words()) {
            QString port = expand(w, env, &error);
            if (!port.contains(QLatin1Char('/')))
                port += QStringLiteral("/tcp");
            ports.append(port);
            if (!config.exposedPorts.contains(port))
                config.exposedPorts.append(port);
        }
        createdBy = QStringLiteral("EXPOSE ") + goList(ports);
        break;
    }
    case InstructionKind::Volume: {
        QStringList volumes;
        for (const QString &w : words()) {
            const QString v = expand(w, env, &error);
            volumes.append(v);
            if (!config.volumes.contains(v))
                config.volumes.append(v);
        }
        createdBy = QStringLiteral("VOLUME ") + goList(volumes);
        break;
    }
    case InstructionKind::User:
        config.user = expand(words().value(0), env, &error);
        createdBy = QStringLiteral("USER ") + config.user;
        break;
    case InstructionKind::Stopsignal:
        config.stopSignal = expand(words().value(0), env, &error);
        createdBy = QStringLiteral("STOPSIGNAL ") + config.stopSignal;
        break;
    case InstructionKind::Shell:
        config.shell = words();
        createdBy = QStringLiteral("SHELL ") + goList(config.shell);
        break;
    case InstructionKind::Cmd:
    case InstructionKind::Entrypoint: {
        QStringList list = words();
        if (!ins.jsonForm) {
            const QStringList shell = config.shell.isEmpty()
                                          ? QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c")}
                                          : config.shell;
            list = shell + QStringList{words().join(QLatin1Char(' '))};
        }
        if (ins.kind == InstructionKind::Cmd) {
            config.cmd = list;
            cmdSet = true;
            createdBy = QStringLiteral("CMD ") + goQuoteList(list);
        } else {
            config.entrypoint = list;
            if (!cmdSet)
                config.cmd.clear();
            createdBy = QStringLiteral("ENTRYPOINT ") + goQuoteList(list);
        }
        break;
    }
    case InstructionKind::Healthcheck: {
        const QStringList w = words();
        QJsonObject check;
        QJsonArray test;
        if (!w.isEmpty() && w.first().compare(QLatin1String("NONE"), Qt::CaseInsensitive) == 0) {
            test.append(QStringLiteral("NONE"));
        } else {
            const QStringList rest = w.mid(1);
            if (ins.jsonForm) {
                test.append(QStringLiteral("CMD"));
                for (const QString &s : rest)
                    test.append(s);
            } else {
                test.append(QStringLiteral("CMD-SHELL"));
                test.append(rest.join(QLatin1Char(' ')));
            }
        }
        check.insert(QStringLiteral("Test"), test);
        config.healthcheck = check;
        QStringList testList;
        for (const QJsonValue &v : test)
            testList.append(v.toString());
        createdBy = QStringLiteral("HEALTHCHECK &{") + goQuoteList(testList) +
                    QStringLiteral(" \"0s\" \"0s\" \"0s\" \"0s\" '\\x00'}");
        break;
    }
    case InstructionKind::Onbuild: {
        QString trigger = ins.original.trimmed();
        trigger = trigger.mid(trigger.indexOf(QLatin1Char(' ')) + 1).trimmed();
        config.onBuild.append(trigger);
        createdBy = QStringLiteral("ONBUILD ") + trigger;
        break;
    }
    case InstructionKind::Workdir: {
        const QString dir = expand(words().value(0), env, &error);
        const QString current = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;
        const QString resolved =
            QDir::cleanPath(dir.startsWith(QLatin1Char('/')) ? dir : current + QLatin1Char('/') + dir);
        config.workingDir = resolved;
        createdBy = QStringLiteral("WORKDIR ") + dir;
        makesLayer = true;
        auto lowers = lowerDirs(state);
        if (!lowers)
            return std::unexpected(lowers.error());
        const LayerTree tree(*lowers);
        QString path;
        for (const QString &part : resolved.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
            path = path.isEmpty() ? part : path + QLatin1Char('/') + part;
            if (tree.find(path))
                continue;
            LayerSourceEntry entry;
            entry.entry.path = path;
            entry.entry.type = EntryType::Directory;
            entry.entry.mode = 0755;
            entry.entry.mtime = QDateTime::currentSecsSinceEpoch();
            copied.append(entry);
        }
        break;
    }
    case InstructionKind::Copy:
    case InstructionKind::Add: {
        auto entries = copyEntries(ins, stageIndex, state, env, &createdBy, &keyExtra);
        if (!entries)
            return std::unexpected(entries.error());
        copied = *entries;
        makesLayer = true;
        break;
    }
    case InstructionKind::Run: {
        QStringList argv;
        if (ins.jsonForm) {
            argv = words();
        } else {
            QString script = words().join(QLatin1Char(' '));
            argv = (config.shell.isEmpty() ? QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c")}
                                           : config.shell);
            if (!ins.heredocs.isEmpty()) {
                // `RUN <<EOF`: the body is the script.
                const Heredoc &doc = ins.heredocs.first();
                script = doc.expand ? expand(doc.body(), env, &error) : doc.body();
            }
            argv.append(script);
        }
        QStringList used;
        for (const QString &name : argOrder)
            used.append(name + QLatin1Char('=') + args.value(name));
        createdBy = QStringLiteral("RUN ");
        if (!used.isEmpty())
            createdBy += QLatin1Char('|') + QString::number(used.size()) + QLatin1Char(' ') +
                         used.join(QLatin1Char(' ')) + QLatin1Char(' ');
        createdBy += argv.join(QLatin1Char(' ')) + QStringLiteral(" # buildkit");
        for (const Flag &f : ins.flags)
            keyExtra += f.name + QLatin1Char('=') + f.value + QLatin1Char('\n');
        makesLayer = true;
        break;
    }
    case InstructionKind::From:
    case InstructionKind::Unknown: return fail(QStringLiteral("unexpected instruction %1").arg(ins.keyword));
    }
    if (!error.isEmpty())
        return fail(error);

    // Every step that changes the image goes through the cache: same parent state,
    // same expanded instruction, same inputs → same result.
    const QString key = sha256Hex(
        state.key + QLatin1Char('\n') + createdBy + QLatin1Char('\n') + keyExtra + QLatin1Char('\n') +
        QString::fromUtf8(QJsonDocument(config.toJson()).toJson(QJsonDocument::Compact)));
    StageState cached;
    if (loadCache(key, cached)) {
        state = cached;
        ++m_cached;
        BuildEvent e = base;
        e.kind = BuildEventKind::StepCached;
        if (makesLayer && !state.layers.isEmpty()) {
            e.layerDigest = state.layers.last().digest.toString();
            e.layerSize = state.layers.last().size;
        }
        emitEvent(e);
        return {};
    }

    Descriptor layer;
    if (makesLayer) {
        if (ins.kind == InstructionKind::Run) {
            auto ran = runCommand(ins, next, args, argOrder, base, &createdBy);
            if (!ran)
                return std::unexpected(ran.error());
            layer = next.layers.last();
        } else {
            auto written = writeLayer(copied);
            if (!written)
                return std::unexpected(written.error());
            layer = written->descriptor();
            next.layers.append(layer);
            next.config.diffIds.append(written->diffId);
        }
    }
    addHistory(next, createdBy, !makesLayer);
    next.key = key;
    saveCache(key, next);
    state = next;
    BuildEvent e = base;
    e.kind = BuildEventKind::StepDone;
    e.durationMs = timer.elapsed();
    if (makesLayer) {
        e.layerDigest = layer.digest.toString();
        e.layerSize = layer.size;
    }
    emitEvent(e);
    return {};
}

Expected<void> BuildRun::runCommand(const Instruction &ins, StageState &state,
                                    const QHash<QString, QString> &args, const QStringList &argOrder,
                                    const BuildEvent &base, QString *createdBy)
{
    Q_UNUSED(createdBy);
    auto lowers = lowerDirs(state);
    if (!lowers)
        return std::unexpected(lowers.error());
    if (lowers->isEmpty())
        return fail(
            QStringLiteral("RUN needs a root filesystem, but this stage has no layers (FROM scratch)"));
    QTemporaryDir scratch(m_builder.store().cacheDir(QStringLiteral("tmp")) + QStringLiteral("/run-XXXXXX"));
    if (!scratch.isValid())
        return fail(QStringLiteral("cannot create a scratch directory: %1").arg(scratch.errorString()));
    auto rootfs = Rootfs::prepare(*lowers, scratch.path(), std::nullopt, m_cancel);
    if (!rootfs)
        return std::unexpected(rootfs.error());
    const ContainerConfig &config = state.config.config;
    RunSpec spec;
    const QHash<QString, QString> env = expansionEnv(state, args);
    if (ins.jsonForm) {
        for (const Word &w : ins.args)
            spec.args.append(w.text);
    } else {
        spec.args = config.shell.isEmpty() ? QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c")}
                                           : config.shell;
        QString script;
        for (const Word &w : ins.args)
            script += (script.isEmpty() ? QString() : QStringLiteral(" ")) + w.text;
        if (!ins.heredocs.isEmpty()) {
            const Heredoc &doc = ins.heredocs.first();
            script = doc.expand ? expand(doc.body(), env) : doc.body();
        }
        spec.args.append(script);
    }
    spec.env = config.env;
    for (const QString &name : argOrder) {
        bool shadowed = false;
        for (const QString &e : config.env)
            shadowed = shadowed || envName(e) == name;
        if (!shadowed)
            spec.env.append(name + QLatin1Char('=') + args.value(name));
    }
    spec.workingDir = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;
    spec.user = config.user;
    if (ins.flagValue(QStringLiteral("network")) == QLatin1String("none"))
        spec.network = NetworkMode::None;
    for (const Flag &flag : ins.flags) {
        if (flag.name != QLatin1String("mount"))
            continue;
        SandboxMount mount;
        QHash<QString, QString> fields;
        for (const QString &part : flag.value.split(QLatin1Char(','))) {
            const qsizetype eq = part.indexOf(QLatin1Char('='));
            fields.insert(eq < 0 ? part : part.left(eq), eq < 0 ? QStringLiteral("true") : part.mid(eq + 1));
        }
        const QString type = fields.value(QStringLiteral("type"), QStringLiteral("bind"));
        mount.target =
            fields.value(QStringLiteral("target"),
                         fields.value(QStringLiteral("dst"), fields.value(QStringLiteral("destination"))));
        if (mount.target.isEmpty())
            return fail(QStringLiteral("--mount %1 needs a target").arg(flag.value));
        if (type == QLatin1String("cache")) {
            mount.type = SandboxMount::Type::Cache;
            const QString id = fields.value(QStringLiteral("id"), mount.target);
            mount.source =
                m_builder.store().cacheDir(QStringLiteral("run-cache")) + QLatin1Char('/') + sha256Hex(id);
            QDir().mkpath(mount.source);
        } else if (type == QLatin1String("tmpfs")) {
            mount.type = SandboxMount::Type::Tmpfs;
        } else if (type == QLatin1String("bind")) {
            mount.type = SandboxMount::Type::Bind;
            const QString from = fields.value(QStringLiteral("from"));
            const QString source =
                QDir::cleanPath(QLatin1Char('/') +
                                fields.value(QStringLiteral("source"), fields.value(QStringLiteral("src"))))
                    .mid(1);
            if (from.isEmpty()) {
                mount.source = QDir::cleanPath(m_request.contextDir + QLatin1Char('/') + source);
            } else {
                const int fromStage = m_graph.stageIndex(from);
                std::optional<StageState> fromState;
                {
                    std::lock_guard lock(m_resultMutex);
                    if (fromStage >= 0)
                        fromState = m_results[fromStage];
                }
                if (!fromState)
                    return fail(QStringLiteral("--mount from=%1: only stages can be mounted").arg(from));
                auto fromLowers = lowerDirs(*fromState);
                if (!fromLowers)
                    return std::unexpected(fromLowers.error());
                const auto found = LayerTree(*fromLowers).find(source);
                if (!found)
                    return fail(QStringLiteral("--mount from=%1: %2 not found").arg(from, source));
                mount.source = *found;
            }
            mount.readOnly =
                !(fields.contains(QStringLiteral("rw")) || fields.contains(QStringLiteral("readwrite")));
        } else {
            return fail(
                QStringLiteral("--mount type=%1 is not supported (bind, cache and tmpfs are)").arg(type));
        }
        spec.mounts.append(mount);
    }
    SandboxCallbacks callbacks;
    callbacks.log = [this, &base](const QString &line) {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepLog;
        e.text = line;
        emitEvent(e);
    };
    auto ran = Sandbox::run(*rootfs, spec, m_cancel, callbacks);
    if (!ran) {
        rootfs->removeScratch();
        if (ran.error().kind == ExecError::Kind::Cancelled)
            return fail(QStringLiteral("build cancelled"));
        QString message = ran.error().message;
        if (!ran.error().lastLines.isEmpty())
            message += QStringLiteral("\n") + ran.error().lastLines.join(QLatin1Char('\n'));
        return fail(message);
    }
    auto changes = ChangeSet::capture(*rootfs, m_cancel);
    if (!changes) {
        rootfs->removeScratch();
        return std::unexpected(changes.error());
    }
    QList<LayerSourceEntry> entries;
    for (const ChangeEntry &c : changes->entries()) {
        LayerSourceEntry e;
        e.entry = c.entry;
        e.sourcePath = c.sourcePath;
        // BuildKit's whiteout markers are 0600 files, its opaque markers 0755.
        if (e.entry.type == EntryType::Whiteout && e.entry.mode == 0)
            e.entry.mode = 0600;
        if (e.entry.type == EntryType::OpaqueWhiteout && e.entry.mode == 0)
            e.entry.mode = 0755;
        entries.append(e);
    }
    auto written = writeLayer(entries);
    rootfs->removeScratch();
    if (!written)
        return std::unexpected(written.error());
    state.layers.append(written->descriptor());
    state.config.diffIds.append(written->diffId);
    return {};
}

Expected<QList<LayerSourceEntry>> BuildRun::copyEntries(const Instruction &ins, int stageIndex,
                                                        const StageState &state,
                                                        const QHash<QString, QString> &env,
                                                        QString *createdBy, QString *keyExtra)
{
    Q_UNUSED(stageIndex);
    QStringList words;
    for (const Word &w : ins.args)
        words.append(ins.jsonForm ? w.text : expand(w.text, env));
    QMap<QString, LayerSourceEntry> out;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    auto lowers = lowerDirs(state);
    if (!lowers)
        return std::unexpected(lowers.error());
    const LayerTree destTree(*lowers);
    const ContainerConfig &config = state.config.config;
    const QString workdir = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;

    // Heredoc sources: `COPY <<EOF /path`.
    QList<Heredoc> docs;
    QStringList sources;
    if (words.isEmpty())
        return fail(QStringLiteral("%1 needs a source and a destination").arg(ins.keyword.toUpper()));
    const QString dest = words.last();
    for (const QString &w : words.mid(0, words.size() - 1)) {
        if (w.startsWith(QStringLiteral("<<"))) {
            QString name = w.mid(2);
            if (name.startsWith(QLatin1Char('-')))
                name = name.mid(1);
            name.remove(QLatin1Char('"')).remove(QLatin1Char('\''));
            for (const Heredoc &d : ins.heredocs)
                if (d.name == name)
                    docs.append(d);
        } else {
            sources.append(w);
        }
    }
    if (sources.isEmpty() && docs.isEmpty())
        return fail(QStringLiteral("%1 needs a source and a destination").arg(ins.keyword.toUpper()));

    const QString destAbs =
        QDir::cleanPath(dest.startsWith(QLatin1Char('/')) ? dest : workdir + QLatin1Char('/') + dest);
    const QString destRel = destAbs.mid(1);
    const bool destIsDir = dest.endsWith(QLatin1Char('/')) || dest.endsWith(QStringLiteral("/.")) ||
                           dest == QLatin1String(".") || sources.size() + docs.size() > 1 ||
                           destTree.isDirectory(destTree.resolveParents(destRel));
    const auto join = [](const QString &dir, const QString &name) {
        return dir.isEmpty() ? name : name.isEmpty() ? dir : dir + QLatin1Char('/') + name;
    };

    // Ownership and mode flags.
    std::optional<qint64> uid, gid;
    const QString chown = expand(ins.flagValue(QStringLiteral("chown")), env);
    if (!chown.isEmpty()) {
        const QString user = chown.section(QLatin1Char(':'), 0, 0);
        const QString group = chown.contains(QLatin1Char(':')) ? chown.section(QLatin1Char(':'), 1) : user;
        uid = lookupId(destTree, QStringLiteral("etc/passwd"), user);
        if (!uid)
            return fail(
                QStringLiteral("--chown=%1: no user \"%2\" in the stage's /etc/passwd").arg(chown, user));
        gid = lookupId(destTree, QStringLiteral("etc/group"), group);
        if (!gid) {
            if (chown.contains(QLatin1Char(':')))
                return fail(QStringLiteral("--chown=%1: no group \"%2\" in the stage's /etc/group")
                                .arg(chown, group));
            gid = uid;
        }
    }
    std::optional<quint32> chmod;
    const QString chmodText = ins.flagValue(QStringLiteral("chmod"));
    if (!chmodText.isEmpty()) {
        bool ok = false;
        chmod = chmodText.toUInt(&ok, 8);
        if (!ok || *chmod > 07777)
            return fail(QStringLiteral("--chmod=%1: give octal permission bits such as 0755").arg(chmodText));
    }
    QList<QRegularExpression> excludes;
    for (const Flag &f : ins.flags)
        if (f.name == QLatin1String("exclude"))
            excludes.append(QRegularExpression(QRegularExpression::wildcardToRegularExpression(
                f.value, QRegularExpression::UnanchoredWildcardConversion)));
    const auto excluded = [&](const QString &relative) {
        for (const QRegularExpression &re : excludes)
            if (re.match(relative).hasMatch() || re.match(relative.section(QLatin1Char('/'), -1)).hasMatch())
                return true;
        return false;
    };
    const auto add = [&](LayerSourceEntry e) {
        if (uid) {
            e.entry.uid = *uid;
            e.entry.gid = *gid;
        }
        if (chmod && e.entry.type != EntryType::Symlink)
            e.entry.mode = *chmod;
        out.insert(e.entry.path, e);
    };

    for (const Heredoc &doc : docs) {
        LayerSourceEntry e;
        e.entry.path = destIsDir ? join(destRel, doc.name) : destRel;
        e.entry.type = EntryType::File;
        e.entry.mode = 0644;
        e.content = (doc.expand ? expand(doc.body(), env) : doc.body()).toUtf8();
        e.entry.size = e.content.size();
        e.entry.mtime = now;
        *keyExtra += QStringLiteral("heredoc:") + sha256Hex(QString::fromUtf8(e.content)) + QLatin1Char('\n');
        add(e);
    }

    const QString from = expand(ins.flagValue(QStringLiteral("from")), env);
    if (!from.isEmpty()) {
        QStringList fromLowers;
        const int fromStage = m_graph.stageIndex(from);
        if (fromStage >= 0) {
            std::optional<StageState> fromState;
            {
                std::lock_guard lock(m_resultMutex);
                fromState = m_results[fromStage];
            }
            if (!fromState)
                return fail(QStringLiteral("--from=%1: the stage was not built").arg(from));
            auto dirs = lowerDirs(*fromState);
            if (!dirs)
                return std::unexpected(dirs.error());
            fromLowers = *dirs;
            *keyExtra += QStringLiteral("from-stage:") + fromState->key + QLatin1Char('\n');
        } else {
            auto ref = ImageReference::normalise(from);
            if (!ref)
                return std::unexpected(ref.error());
            auto image = m_builder.store().image(*ref);
            if (!image)
                return fail(
                    QStringLiteral("--from=%1: no such stage, and image \"%2\" is not in the store: import "
                                   "it with `stagecraft import FILE -t %2`")
                        .arg(from, *ref));
            StageState imageState;
            imageState.config = image->config;
            for (const ImageLayer &l : image->layers)
                imageState.layers.append(l.descriptor);
            auto dirs = lowerDirs(imageState);
            if (!dirs)
                return std::unexpected(dirs.error());
            fromLowers = *dirs;
            *keyExtra += QStringLiteral("from-image:") + image->manifestDescriptor.digest.toString() +
                         QLatin1Char('\n');
        }
        const LayerTree tree(fromLowers);
        std::function<void(const QString &, const QString &)> addTree = [&](const QString &srcRel,
                                                                            const QString &dstRel) {
            const auto path = tree.find(srcRel);
            if (!path)
                return;
            struct stat st
            {
            };
            if (::lstat(QFile::encodeName(*path).constData(), &st) != 0)
                return;
            if (excluded(srcRel))
                return;
            LayerSourceEntry e;
            e.entry.path = dstRel;
            e.entry.mode = st.st_mode & 07777;
            e.entry.uid = st.st_uid;
            e.entry.gid = st.st_gid;
            e.entry.mtime = st.st_mtime;
            if (S_ISDIR(st.st_mode)) {
                e.entry.type = EntryType::Directory;
                if (!dstRel.isEmpty())
                    add(e);
                for (const QString &name : tree.list(srcRel))
                    addTree(join(srcRel, name), join(dstRel, name));
                return;
            }
            if (S_ISLNK(st.st_mode)) {
                e.entry.type = EntryType::Symlink;
                e.entry.linkTarget = QFile::symLinkTarget(*path);
                char buf[4096];
                const ssize_t n = ::readlink(QFile::encodeName(*path).constData(), buf, sizeof buf - 1);
                e.entry.linkTarget = n > 0 ? QFile::decodeName(QByteArray(buf, int(n))) : QString();
            } else if (S_ISREG(st.st_mode)) {
                e.entry.type = EntryType::File;
                e.entry.size = st.st_size;
                e.sourcePath = *path;
            } else {
                return;
            }
            add(e);
        };
        for (const QString &src : sources) {
            const QString srcRel = tree.resolveParents(QDir::cleanPath(QLatin1Char('/') + src).mid(1));
            if (!tree.find(srcRel))
                return fail(QStringLiteral("failed to compute cache key: \"/%1\" not found (in --from=%2)")
                                .arg(srcRel, from));
            *keyExtra += src + QLatin1Char('\n');
            if (tree.isDirectory(srcRel)) {
                addTree(srcRel, destRel);
            } else {
                const QString name = srcRel.section(QLatin1Char('/'), -1);
                addTree(srcRel, destIsDir ? join(destRel, name) : destRel);
            }
        }
    } else {
        for (const QString &src : sources) {
            if (src.startsWith(QStringLiteral("http://")) || src.startsWith(QStringLiteral("https://")))
                return fail(
                    QStringLiteral("%1 of a URL (%2) is not supported yet: download it into the context")
                        .arg(ins.keyword.toUpper(), src));
            auto matches = m_context->select(src, m_cancel);
            if (!matches)
                return std::unexpected(matches.error());
            auto digest = m_context->sourceDigest(src, m_cancel);
            if (!digest)
                return std::unexpected(digest.error());
            *keyExtra += src + QLatin1Char('=') + *digest + QLatin1Char('\n');
            for (const ContextMatch &m : *matches) {
                for (const ContextFile &f : m.files) {
                    if (excluded(f.path))
                        continue;
                    LayerSourceEntry e;
                    if (m.type == ContextFileType::Directory) {
                        const QString rel = m.path.isEmpty() ? f.path : f.path.mid(m.path.size() + 1);
                        e.entry.path = f.path == m.path ? destRel : join(destRel, rel);
                    } else {
                        const QString name = m.path.section(QLatin1Char('/'), -1);
                        e.entry.path = destIsDir || matches->size() > 1 ? join(destRel, name) : destRel;
                    }
                    if (e.entry.path.isEmpty())
                        continue;
                    e.entry.mode = f.mode;
                    e.entry.mtime = f.mtime;
                    switch (f.type) {
                    case ContextFileType::Directory: e.entry.type = EntryType::Directory; break;
                    case ContextFileType::Symlink:
                        e.entry.type = EntryType::Symlink;
                        e.entry.linkTarget = f.linkTarget;
                        break;
                    case ContextFileType::File:
                        e.entry.type = EntryType::File;
                        e.entry.size = f.size;
                        e.sourcePath = f.absolutePath;
                        break;
                    case ContextFileType::Other: continue;
                    }
                    add(e);
                }
            }
        }
    }

    // Parent directories: existing ones as the stage has them, missing ones root 0755.
    const QStringList paths = out.keys();
    for (const QString &path : paths) {
        QString parent = path.section(QLatin1Char('/'), 0, -2);
        while (!parent.isEmpty() && !out.contains(parent)) {
            LayerSourceEntry e;
            e.entry.path = parent;
            e.entry.type = EntryType::Directory;
            e.entry.mode = 0755;
            e.entry.mtime = now;
            if (const auto existing = destTree.find(parent)) {
                struct stat st
                {
                };
                if (::stat(QFile::encodeName(*existing).constData(), &st) == 0) {
                    e.entry.mode = st.st_mode & 07777;
                    e.entry.uid = st.st_uid;
                    e.entry.gid = st.st_gid;
                }
            }
            out.insert(parent, e);
            parent = parent.section(QLatin1Char('/'), 0, -2);
        }
    }

    QStringList shown = words;
    *createdBy = ins.keyword.toUpper() + QLatin1Char(' ') + shown.join(QLatin1Char(' ')) +
                 QStringLiteral(" # buildkit");
    for (const Flag &f : ins.flags)
        *keyExtra += f.name + QLatin1Char('=') + f.value + QLatin1Char('\n');
    return out.values();
}

// Marks the whiteouts of a layer in overlay format inside its extracted directory.
Expected<void> markWhiteouts(const QString &blobPath, const QString &dir)
{
    QFile blob(blobPath);
    if (!blob.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1").arg(blobPath));
    LayerReader reader(&blob);
    while (true) {
        auto entry = reader.next();
        if (!entry)
            return std::unexpected(entry.error());
        if (!*entry)
            return {};
        const LayerEntry &e = **entry;
        const QString path = dir + QLatin1Char('/') + e.path;
        if (e.type == EntryType::Whiteout) {
            QDir().mkpath(QFileInfo(path).absolutePath());
            Rootfs::removeTree(path);
            if (::mknod(QFile::encodeName(path).constData(), S_IFCHR | 0600, makedev(0, 0)) != 0) {
                // Without CAP_MKNOD the xattr form overlay also knows.
                QFile marker(path);
                if (!marker.open(QIODevice::WriteOnly))
                    return fail(QStringLiteral("cannot mark whiteout %1").arg(e.path));
                marker.close();
                ::setxattr(QFile::encodeName(path).constData(), "user.overlay.whiteout", "y", 1, 0);
            }
        } else if (e.type == EntryType::OpaqueWhiteout) {
            QDir().mkpath(path);
            const QByteArray p = QFile::encodeName(path);
            ::setxattr(p.constData(), "user.overlay.opaque", "y", 1, 0);
            ::setxattr(p.constData(), "trusted.overlay.opaque", "y", 1, 0);
        }
    }
}

} // namespace

Expected<QString> Builder::layerDirectory(const Descriptor &layer, const Digest &diffId,
                                          const CancellationToken &cancel) const
{
    const QString root = m_store.cacheDir(QStringLiteral("layers"));
    const QString dir = root + QLatin1Char('/') + diffId.hex();
    if (QFileInfo::exists(dir))
        return dir;
    QTemporaryDir temp(root + QStringLiteral("/.extract-XXXXXX"));
    if (!temp.isValid())
        return fail(QStringLiteral("cannot create a directory under %1").arg(root));
    temp.setAutoRemove(false);
    const QString target = temp.path() + QStringLiteral("/tree");
    auto blob = m_store.openBlob(layer.digest, layer.size);
    if (!blob)
        return std::unexpected(blob.error());
    ExtractOptions options;
    options.applyWhiteouts = false;
    auto report = LayerExtractor::extract(blob->get(), target, options, cancel);
    if (!report) {
        Rootfs::removeTree(temp.path());
        return std::unexpected(report.error());
    }
    auto marked = markWhiteouts(m_store.blobPath(layer.digest), target);
    if (!marked) {
        Rootfs::removeTree(temp.path());
        return std::unexpected(marked.error());
    }
    // Renamed into place complete; a concurrent extraction of the same layer loses the race harmlessly.
    if (::rename(QFile::encodeName(target).constData(), QFile::encodeName(dir).constData()) != 0 &&
        !QFileInfo::exists(dir)) {
        Rootfs::removeTree(temp.path());
        return fail(QStringLiteral("cannot move the extracted layer into %1").arg(dir));
    }
    Rootfs::removeTree(temp.path());
    return dir;
}

Expected<BuildResult> Builder::build(const BuildRequest &request, const BuildEventSink &sink,
                                     const CancellationToken &cancel)
{
    BuildRun run(*this, request, sink, cancel);
    return run.run();
}

} // namespace stagecraft
