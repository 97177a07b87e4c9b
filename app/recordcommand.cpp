// `stagecraft record`: build records. `show` prints one (or a BuildKit rawjson log read
// against its Dockerfile); `import` turns a rawjson log into a record the window opens.
#include "app/command.h"
#include "app/dockerfileinput.h"
#include "app/storearguments.h"
#include "core/analysis/bytesize.h"
#include "core/progress/buildkitprovenance.h"
#include "core/progress/buildrecord.h"
#include "core/progress/dockerbuildarchive.h"
#include "core/progress/solvestatusstream.h"

#include <QFile>
#include <QFileInfo>

#include <optional>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft record show FILE\n"
    "       stagecraft record show ARCHIVE.dockerbuild\n"
    "       stagecraft record show --rawjson LOG --file DOCKERFILE [--provenance FILE]\n"
    "       stagecraft record import --rawjson LOG --file DOCKERFILE [--provenance FILE] -o FILE\n"
    "\n"
    "A build record (`stagecraft build --record FILE`, File > Save Build Record) holds the\n"
    "Dockerfile, build args, target, engine, the build's events in BuildKit's SolveStatus\n"
    "form, each step's layer size and the result's digest. `show` prints its stages and\n"
    "steps (state, cached, duration, layer size), the failing line and its error.\n"
    "\n"
    "--rawjson LOG: BuildKit's raw JSON progress (`buildctl build --progress=rawjson`,\n"
    "`docker buildx build --progress=rawjson`, `docker buildx history logs --progress rawjson`)\n"
    "read against the Dockerfile it built (--file): each vertex goes to its stage and line\n"
    "by its \"[stage i/n]\" name. `import` saves it as a record (-o FILE) that File > Open\n"
    "Build Record opens. --provenance FILE: BuildKit's provenance of that build (an attestation,\n"
    "or `docker buildx build --metadata-file` output): its source locations place each vertex\n"
    "on its Dockerfile lines, before the names do.\n"
    "\n"
    "A .dockerbuild archive (`docker buildx history export`) is listed build by build (ref,\n"
    "times, step counts, error); a build whose archive carries its log and a provenance\n"
    "attestation with the Dockerfile (mode=max) is replayed, each vertex on the Dockerfile\n"
    "lines the provenance names; --file DOCKERFILE replays the builds whose archive has none.\n"
    "The OpenTelemetry trace and the results are not read.\n";

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 1) + QLatin1Char('s');
}

void printRecord(const BuildRecord &record, const BuildProgress &progress)
{
    QString out;
    out +=
        QStringLiteral("Build record of %1 (engine %2%3)\n")
            .arg(record.dockerfileName.isEmpty() ? QStringLiteral("a Dockerfile") : record.dockerfileName,
                 record.engine.isEmpty() ? QStringLiteral("unknown") : record.engine,
                 record.createdAt.isEmpty() ? QString() : QStringLiteral(", recorded ") + record.createdAt);
    if (!record.target.isEmpty())
        out += QStringLiteral("Target: %1\n").arg(record.target);
    if (!record.buildArgs.isEmpty()) {
        QStringList args;
        for (auto it = record.buildArgs.cbegin(); it != record.buildArgs.cend(); ++it)
            args << it.key() + QLatin1Char('=') + it.value();
        out += QStringLiteral("Build args: %1\n").arg(args.join(QLatin1Char(' ')));
    }
    out += QStringLiteral("Outcome: %1 in %2\n")
               .arg(progressStateName(progress.state()), seconds(progress.durationMs()));
    if (!record.resultDigest.isEmpty())
        out +=
            QStringLiteral("Result: %1%2\n")
                .arg(record.resultDigest,
                     record.tags.isEmpty()
                         ? QString()
                         : QStringLiteral(" (") + record.tags.join(QStringLiteral(", ")) + QLatin1Char(')'));
    const QStringList lines = record.dockerfile.split(QLatin1Char('\n'));
    for (int index : progress.stageIndexes()) {
        const StageProgress *stage = progress.stage(index);
        out += QStringLiteral("\nstage %1 %2: %3, %4/%5 steps, %6 cached")
                   .arg(stage->index)
                   .arg(stage->name, progressStateName(stage->state))
                   .arg(stage->finishedSteps)
                   .arg(stage->stepCount)
                   .arg(stage->cachedSteps);
        if (stage->startedMs >= 0 && stage->endedMs >= stage->startedMs)
            out += QStringLiteral(", %1").arg(seconds(stage->endedMs - stage->startedMs));
        if (stage->bytes > 0)
            out += QStringLiteral(", %1").arg(formatByteSize(stage->bytes));
        out += QLatin1Char('\n');
        for (const StepProgress &step : stage->steps) {
            if (step.stage < 0)
                continue;
            QString text = step.text.simplified();
            if (text.size() > 60)
                text = text.left(57) + QStringLiteral("...");
            QString line = QStringLiteral("  [%1/%2] line %3  %4  %5")
                               .arg(step.step + 1)
                               .arg(stage->stepCount)
                               .arg(step.range.start.line)
                               .arg(progressStateName(step.state), -9)
                               .arg(text);
            if (step.isFinished() && !step.cached)
                line += QStringLiteral("  %1").arg(seconds(step.durationMs));
            if (!step.layerDigest.isEmpty())
                line += QStringLiteral("  layer %1").arg(formatByteSize(step.layerSize));
            out += line + QLatin1Char('\n');
        }
    }
    if (progress.state() == ProgressState::Failed || progress.state() == ProgressState::Cancelled) {
        const int line = progress.failedLine();
        out += QStringLiteral("\n%1").arg(progress.state() == ProgressState::Failed
                                              ? QStringLiteral("Failed")
                                              : QStringLiteral("Cancelled"));
        if (line > 0)
            out += QStringLiteral(" at line %1: %2").arg(line).arg(lines.value(line - 1).trimmed());
        out += QStringLiteral("\n  %1\n")
                   .arg(progress.error().trimmed().replace(QLatin1Char('\n'), QStringLiteral("\n  ")));
        // The failing step's last output says why more often than the error does.
        for (int index : progress.stageIndexes())
            for (const StepProgress &step : progress.stage(index)->steps)
                if (step.stage >= 0 && step.state == ProgressState::Failed)
                    for (const QString &logLine : step.log.mid(std::max<qsizetype>(0, step.log.size() - 5)))
                        out += QStringLiteral("  | %1\n").arg(logLine);
    }
    for (const BuildWarningNote &w : progress.warnings())
        out += QStringLiteral("warning%1: %2\n")
                   .arg(w.line > 0 ? QStringLiteral(" (line %1)").arg(w.line) : QString(), w.text);
    printOut(out);
}

int showArchive(const QString &path, const QString &dockerfilePath)
{
    QString dockerfile;
    if (!dockerfilePath.isEmpty()) {
        const Expected<DockerfileInput> input = DockerfileInput::read(dockerfilePath);
        if (!input)
            return commandError(QStringLiteral("record"), input.error().message);
        dockerfile = input->text;
    }
    const Expected<DockerBuildArchive> archive = DockerBuildArchive::read(path);
    if (!archive)
        return commandError(QStringLiteral("record"), archive.error().message);
    for (int i = 0; i < archive->builds.size(); ++i) {
        const DockerBuildArchive::Build &b = archive->builds[i];
        QString out =
            QStringLiteral("%1Build %2 of %3: %4 (%5)\n")
                .arg(i > 0 ? QStringLiteral("\n") : QString())
                .arg(i + 1)
                .arg(archive->builds.size())
                .arg(b.ref, b.error.isEmpty() ? QStringLiteral("completed") : QStringLiteral("failed"));
        if (!b.createdAt.isEmpty())
            out += QStringLiteral("Started %1, finished %2\n").arg(b.createdAt, b.completedAt);
        if (b.totalSteps >= 0)
            out += QStringLiteral("Steps: %1 of %2 completed, %3 cached\n")
                       .arg(b.completedSteps)
                       .arg(b.totalSteps)
                       .arg(b.cachedSteps);
        if (!b.error.isEmpty())
            out += QStringLiteral("Error: %1\n").arg(b.error);
        if (!b.unread.isEmpty())
            out += QStringLiteral("Not read: %1\n").arg(b.unread.join(QStringLiteral(", ")));
        printOut(out);
        const Expected<BuildRecord> record = archive->record(i, dockerfile);
        if (!record) {
            printOut(QStringLiteral("Cannot replay: %1\n").arg(record.error().message));
            continue;
        }
        BuildProgress progress;
        if (Expected<void> loaded = record->load(progress); !loaded) {
            printOut(QStringLiteral("Cannot replay: %1\n").arg(loaded.error().message));
            continue;
        }
        printRecord(*record, progress);
    }
    return 0;
}

bool isArchive(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && DockerBuildArchive::looksLike(file.read(512));
}

Expected<BuildRecord> fromRawJson(const QString &logPath, const QString &dockerfilePath,
                                  const QString &provenancePath)
{
    QHash<QString, int> sourceLines;
    if (!provenancePath.isEmpty()) {
        QFile provenanceFile(provenancePath);
        if (!provenanceFile.open(QIODevice::ReadOnly))
            return fail(
                QStringLiteral("cannot read %1: %2").arg(provenancePath, provenanceFile.errorString()));
        const Expected<BuildKitProvenance> provenance =
            BuildKitProvenance::fromJson(provenanceFile.read(BuildKitProvenance::kMaxBytes + 1));
        if (!provenance)
            return fail(QStringLiteral("%1: %2").arg(provenancePath, provenance.error().message));
        sourceLines = provenance->firstLineByDigest;
    }
    const QFileInfo info(logPath);
    if (!info.isFile())
        return fail(QStringLiteral("%1 is not a file").arg(logPath));
    if (info.size() > SolveStatusStream::kMaxLogBytes)
        return fail(QStringLiteral("%1: %2 bytes, more than the %3 a rawjson log may have")
                        .arg(logPath)
                        .arg(info.size())
                        .arg(SolveStatusStream::kMaxLogBytes));
    QFile file(logPath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(logPath, file.errorString()));
    const QByteArray log = file.read(SolveStatusStream::kMaxLogBytes + 1);
    const Expected<DockerfileInput> input = DockerfileInput::read(dockerfilePath);
    if (!input)
        return std::unexpected(input.error());
    Expected<BuildRecord> record =
        BuildRecord::fromRawJson(log, input->text, input->displayName, sourceLines);
    if (!record)
        return fail(QStringLiteral("%1: %2").arg(logPath, record.error().message));
    return record;
}

int runRecord(const QStringList &args)
{
    const QString name = QStringLiteral("record");
    if (args.isEmpty())
        return usageError(name, QStringLiteral("give a subcommand: show or import"));
    if (args.first() == QLatin1String("-h") || args.first() == QLatin1String("--help")) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    const QString sub = args.first();
    if (sub != QLatin1String("show") && sub != QLatin1String("import"))
        return usageError(name, QStringLiteral("unknown subcommand \"%1\": show or import").arg(sub));
    QString rawjson, dockerfile, output, provenance;
    QStringList positional;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        const auto value = [&](const QString &option) -> std::optional<QString> {
            if (a.startsWith(option + QLatin1Char('=')))
                return a.mid(option.size() + 1);
            if (a == option && i + 1 < args.size())
                return args[++i];
            return std::nullopt;
        };
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            printOut(QString::fromLatin1(kUsage));
            return 0;
        }
        if (auto r = value(QStringLiteral("--rawjson")))
            rawjson = *r;
        else if (auto f = value(QStringLiteral("--file")))
            dockerfile = *f;
        else if (auto f2 = value(QStringLiteral("-f")))
            dockerfile = *f2;
        else if (auto pv = value(QStringLiteral("--provenance")))
            provenance = *pv;
        else if (auto o = value(QStringLiteral("-o")))
            output = *o;
        else if (auto o2 = value(QStringLiteral("--output")))
            output = *o2;
        else if (a.startsWith(QLatin1Char('-')))
            return usageError(name, QStringLiteral("unknown option %1").arg(a));
        else
            positional << a;
    }

    Expected<BuildRecord> record = fail(QString());
    if (!rawjson.isEmpty()) {
        if (dockerfile.isEmpty())
            return usageError(name,
                              QStringLiteral("--rawjson needs the Dockerfile it built: --file DOCKERFILE"));
        if (!positional.isEmpty())
            return usageError(name, QStringLiteral("give either FILE or --rawjson LOG"));
        record = fromRawJson(rawjson, dockerfile, provenance);
    } else {
        if (sub == QLatin1String("import"))
            return usageError(name, QStringLiteral("import needs --rawjson LOG --file DOCKERFILE"));
        if (positional.size() != 1)
            return usageError(name, QStringLiteral("give one record FILE"));
        if (isArchive(positional.first()))
            return showArchive(positional.first(), dockerfile);
        record = BuildRecord::read(positional.first());
    }
    if (!record)
        return commandError(name, record.error().message);

    if (sub == QLatin1String("import")) {
        if (output.isEmpty())
            return usageError(name, QStringLiteral("import needs -o FILE"));
        if (Expected<void> written = record->write(output); !written)
            return commandError(name, written.error().message);
        return 0;
    }
    BuildProgress progress;
    if (Expected<void> loaded = record->load(progress); !loaded)
        return commandError(name, loaded.error().message);
    printRecord(*record, progress);
    return 0;
}

const CommandRegistration reg{{QStringLiteral("record"),
                               QStringLiteral("print a build record, or import BuildKit's rawjson progress"),
                               runRecord}};

} // namespace

} // namespace stagecraft::app
