// Prints how long parse+graph (DockerfileParser::parse then StageGraph::fromDockerfile), the
// whole build plan (BuildPlan::fromText) and the editor's live analysis (the plan and the build
// checks over it) take on the seed examples, BuildKit's own Dockerfile and a generated
// 500-stage file: the median of many runs. With node and dockerfile-ast installed
// (scripts/bench-setup) it times the same files with that parser too and prints the ratio.
// Then hostile sizes (50,000 ARGs, ENVs, stages; expansion bombs) timed once each for parse,
// graph, plan and the build checks. Never fails on time.
#include "core/checks/buildchecks.h"
#include "core/dockerfile/dockerfileparser.h"
#include "core/plan/buildplan.h"
#include "core/plan/stagegraph.h"
#include "tests/bench/largedockerfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace stagecraft;

namespace {

struct Input
{
    QString label;
    QString path; // a file the node script can read
    QString text;
};

struct Timing
{
    double total = 0; // parse+graph, µs
    double parse = 0;
    double graph = 0;
};

QString sourceDir()
{
    const QByteArray env = qgetenv("STAGECRAFT_SOURCE_DIR");
    return env.isEmpty() ? QStringLiteral(STAGECRAFT_SOURCE_PATH) : QString::fromLocal8Bit(env);
}

// Median over samples of `batch` runs each, the batch sized so a sample takes ~1 ms:
// single runs of a few microseconds are below the timer's useful resolution.
template <typename F> double medianMicroseconds(F work)
{
    for (int i = 0; i < 50; ++i)
        work(); // warm caches and the allocator
    QElapsedTimer timer;
    timer.start();
    work();
    const qint64 once = std::max<qint64>(timer.nsecsElapsed(), 1);
    const int batch = int(std::max<qint64>(1, 1'000'000 / once));
    QList<double> samples;
    QElapsedTimer total;
    total.start();
    while (samples.size() < 15 || (samples.size() < 301 && total.elapsed() < 1000)) {
        timer.restart();
        for (int i = 0; i < batch; ++i)
            work();
        samples.append(double(timer.nsecsElapsed()) / batch / 1000.0);
    }
    std::sort(samples.begin(), samples.end());
    return samples.at(samples.size() / 2);
}

Timing measure(const QString &text)
{
    Timing t;
    t.total = medianMicroseconds([&] {
        const Dockerfile d = DockerfileParser::parse(text);
        const StageGraph g = StageGraph::fromDockerfile(d);
        Q_UNUSED(g);
    });
    t.parse = medianMicroseconds([&] {
        const Dockerfile d = DockerfileParser::parse(text);
        Q_UNUSED(d);
    });
    const Dockerfile parsed = DockerfileParser::parse(text);
    t.graph = medianMicroseconds([&] {
        const StageGraph g = StageGraph::fromDockerfile(parsed);
        Q_UNUSED(g);
    });
    return t;
}

// Runs tests/bench/dockerfile_ast_bench.js; returns path → µs, empty when unavailable.
QHash<QString, double> measureNode(const QList<Input> &inputs, QString *why)
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty()) {
        *why = QStringLiteral("node is not installed");
        return {};
    }
    QString modules = QString::fromLocal8Bit(qgetenv("BENCH_NODE_MODULES"));
    if (modules.isEmpty())
        modules = sourceDir() + QStringLiteral("/build/bench-node/node_modules");
    QFile package(modules + QStringLiteral("/dockerfile-ast/package.json"));
    if (!package.open(QIODevice::ReadOnly) || !package.readAll().contains("\"version\": \"0.7.1\"")) {
        *why = QStringLiteral("dockerfile-ast@0.7.1 not found in %1 (run scripts/bench-setup)").arg(modules);
        return {};
    }
    QStringList args{sourceDir() + QStringLiteral("/tests/bench/dockerfile_ast_bench.js")};
    for (const Input &in : inputs)
        args.append(in.path);
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NODE_PATH"), modules);
    process.setProcessEnvironment(env);
    process.start(node, args);
    if (!process.waitForFinished(10 * 60 * 1000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        *why = QStringLiteral("the node script failed: %1")
                   .arg(QString::fromUtf8(process.readAllStandardError()));
        return {};
    }
    QHash<QString, double> result;
    for (const QByteArray &line : process.readAllStandardOutput().split('\n')) {
        const QList<QByteArray> fields = line.split('\t');
        if (fields.size() == 2)
            result.insert(QString::fromUtf8(fields.at(0)), fields.at(1).toDouble());
    }
    return result;
}

double millisecondsOnce(const std::function<void()> &work)
{
    QElapsedTimer timer;
    timer.start();
    work();
    return double(timer.nsecsElapsed()) / 1e6;
}

QString repeatedLines(int count, const std::function<QString(int)> &line)
{
    QString text;
    for (int i = 0; i < count; ++i)
        text += line(i);
    return text;
}

// Sizes no one writes by hand but a generator or an attacker can: each must stay well
// under a second (the stage graph runs on every keystroke).
void printHostileSizes(QTextStream &out)
{
    const QString nested =
        QStringLiteral("${a:-").repeated(10000) + QStringLiteral("x") + QStringLiteral("}").repeated(10000);
    const QList<std::pair<QString, QString>> inputs{
        {QStringLiteral("50k ARGs"),
         QStringLiteral("FROM scratch\n") +
             repeatedLines(
                 50000,
                 [](int i) { return QStringLiteral("ARG a%1=$a%2\n").arg(i).arg(i > 0 ? i - 1 : 0); })},
        {QStringLiteral("50k meta ARGs"),
         repeatedLines(50000, [](int i) { return QStringLiteral("ARG a%1=${a%2}x\n").arg(i).arg(i / 2); }) +
             QStringLiteral("FROM scratch\n")},
        {QStringLiteral("50k ENVs"),
         QStringLiteral("FROM scratch\n") +
             repeatedLines(
                 50000,
                 [](int i) { return QStringLiteral("ENV E%1=$E%2:$UNDEFINED%1\n").arg(i).arg(i / 2); })},
        {QStringLiteral("50k stages"),
         repeatedLines(50000,
                       [](int i) {
                           return QStringLiteral("FROM %1 AS s%2\nCOPY --from=s%3 /a /a\n")
                               .arg(i % 2 ? QStringLiteral("scratch") : QStringLiteral("alpine:%1").arg(i))
                               .arg(i)
                               .arg(i / 2);
                       })},
        {QStringLiteral("50k unterminated heredocs"),
         QStringLiteral("FROM scratch\n") +
             repeatedLines(50000, [](int) { return QStringLiteral("RUN <<EOF\n"); })},
        {QStringLiteral("${} nested 10,000 deep"),
         QStringLiteral("FROM scratch\nENV x=") + nested + QLatin1Char('\n')},
        {QStringLiteral("40 doubling ARGs"),
         QStringLiteral("ARG a0=x\n") +
             repeatedLines(39, [](int i) { return QStringLiteral("ARG a%1=$a%2$a%2\n").arg(i + 1).arg(i); }) +
             QStringLiteral("FROM scratch\n")},
    };
    out << "\nhostile sizes, one run each, milliseconds (parse / graph / plan / build checks; errors "
           "found)\n";
    for (const auto &[label, text] : inputs) {
        Dockerfile parsed;
        const double parse = millisecondsOnce([&] { parsed = DockerfileParser::parse(text); });
        StageGraph graph;
        const double graphMs = millisecondsOnce([&] { graph = StageGraph::fromDockerfile(parsed); });
        BuildPlan plan;
        const auto shared = std::make_shared<const Dockerfile>(parsed);
        const double planMs = millisecondsOnce([&] { plan = BuildPlan::fromDockerfile(shared); });
        Diagnostics checks;
        const double checkMs = millisecondsOnce([&] { checks = BuildChecks::run(plan); });
        qsizetype errors = 0;
        for (const Diagnostics *list : {&parsed.diagnostics, &graph.diagnostics, &checks})
            for (const Diagnostic &d : *list)
                errors += d.severity == Severity::Error ? 1 : 0;
        out << QStringLiteral("  %1 %2 ms  (parse %3, graph %4, plan %5, checks %6; %7 errors)\n")
                   .arg(label, -30)
                   .arg(parse + planMs + checkMs, 10, 'f', 1)
                   .arg(parse, 0, 'f', 1)
                   .arg(graphMs, 0, 'f', 1)
                   .arg(planMs, 0, 'f', 1)
                   .arg(checkMs, 0, 'f', 1)
                   .arg(errors);
        out.flush();
    }
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);

    QList<Input> inputs;
    const QDir plan(sourceDir() + QStringLiteral("/tests/data/plan"));
    for (const QString &name :
         plan.entryList({QStringLiteral("seed*.Dockerfile")}, QDir::Files, QDir::Name)) {
        QFile f(plan.filePath(name));
        if (f.open(QIODevice::ReadOnly))
            inputs.append({name, f.fileName(), QString::fromUtf8(f.readAll())});
    }
    const QString buildkit = sourceDir() + QStringLiteral("/tests/data/corpus/moby__buildkit__Dockerfile");
    if (QFile f(buildkit); f.open(QIODevice::ReadOnly))
        inputs.append(
            {QStringLiteral("buildkit Dockerfile (49 stages)"), buildkit, QString::fromUtf8(f.readAll())});
    if (inputs.isEmpty()) {
        std::fprintf(stderr,
                     "bench_parse_graph: no input files under %s/tests/data (set STAGECRAFT_SOURCE_DIR)\n",
                     qPrintable(sourceDir()));
        return 1;
    }

    QTemporaryDir tmp;
    const QString large = bench::largeDockerfile(500);
    const QString largePath = tmp.filePath(QStringLiteral("generated-500-stages.Dockerfile"));
    if (QFile f(largePath); f.open(QIODevice::WriteOnly))
        f.write(large.toUtf8());
    inputs.append({QStringLiteral("generated (%1 lines, 500 stages)").arg(large.count(QLatin1Char('\n'))),
                   largePath, large});

    out << "parse+graph, median of many runs, microseconds (parse / graph alone in brackets)\n";
    out.flush();
    QList<Timing> timings;
    for (const Input &in : std::as_const(inputs)) {
        const Timing t = measure(in.text);
        timings.append(t);
        out << QStringLiteral("  %1 %2 us  (parse %3, graph %4)\n")
                   .arg(in.label, -40)
                   .arg(t.total, 10, 'f', 2)
                   .arg(t.parse, 0, 'f', 2)
                   .arg(t.graph, 0, 'f', 2);
        out.flush();
    }

    // The window plans the editor's text on every keystroke too: the whole plan (parse, graph,
    // typed commands, cache inputs) next to parse+graph.
    out << "\nparse+plan (BuildPlan::fromText), median of many runs, microseconds\n";
    for (int i = 0; i < inputs.size(); ++i) {
        const QString &text = inputs.at(i).text;
        const double planned = medianMicroseconds([&] { (void)BuildPlan::fromText(text); });
        out << QStringLiteral("  %1 %2 us  (%3x parse+graph)\n")
                   .arg(inputs.at(i).label, -40)
                   .arg(planned, 10, 'f', 2)
                   .arg(planned / timings.at(i).total, 0, 'f', 1);
        out.flush();
    }

    // What the editor runs after each pause in typing (ui/LiveAnalysis): parse, stage graph
    // and the build checks.
    out << "\nlive analysis (parse + plan + build checks), median of many runs, microseconds\n";
    for (int i = 0; i < inputs.size(); ++i) {
        const QString &text = inputs.at(i).text;
        const double live = medianMicroseconds([&] {
            const BuildPlan planned = BuildPlan::fromText(text);
            const Diagnostics checks = BuildChecks::run(planned);
            Q_UNUSED(checks);
        });
        out << QStringLiteral("  %1 %2 us  (%3x parse+graph)\n")
                   .arg(inputs.at(i).label, -40)
                   .arg(live, 10, 'f', 2)
                   .arg(live / timings.at(i).total, 0, 'f', 1);
        out.flush();
    }

    printHostileSizes(out);

    QString why;
    const QHash<QString, double> node = measureNode(inputs, &why);
    if (node.isEmpty()) {
        out << "dockerfile-ast comparison skipped: " << why << "\n";
        return 0;
    }
    out << "\ndockerfile-ast 0.7.1 on node (parse + FROM/--from walk), median, microseconds\n";
    for (int i = 0; i < inputs.size(); ++i) {
        const double theirs = node.value(inputs.at(i).path, -1);
        if (theirs < 0)
            continue;
        out << QStringLiteral("  %1 %2 us  vs stagecraft %3 us: %4x\n")
                   .arg(inputs.at(i).label, -40)
                   .arg(theirs, 10, 'f', 2)
                   .arg(timings.at(i).total, 0, 'f', 2)
                   .arg(theirs / timings.at(i).total, 0, 'f', 1);
    }
    return 0;
}
