#include "core/checks/imagecontentrules.h"

#include "core/checks/checktext.h"
#include "core/checks/runscript.h"

#include <QMap>
#include <QSet>

namespace stagecraft {

using checktext::quoted;

namespace {

const QStringList kInstallers = {QStringLiteral("apt-get"), QStringLiteral("apt"), QStringLiteral("apk"),
                                 QStringLiteral("yum"),     QStringLiteral("dnf"), QStringLiteral("microdnf"),
                                 QStringLiteral("zypper")};

bool isToolchainPackage(const QString &name)
{
    static const QSet<QString> kNames = {
        QStringLiteral("build-essential"),
        QStringLiteral("build-base"),
        QStringLiteral("alpine-sdk"),
        QStringLiteral("gcc"),
        QStringLiteral("g++"),
        QStringLiteral("gcc-c++"),
        QStringLiteral("clang"),
        QStringLiteral("make"),
        QStringLiteral("cmake"),
        QStringLiteral("ninja-build"),
        QStringLiteral("meson"),
        QStringLiteral("autoconf"),
        QStringLiteral("automake"),
        QStringLiteral("libtool"),
        QStringLiteral("pkg-config"),
        QStringLiteral("pkgconf"),
        QStringLiteral("golang"),
        QStringLiteral("golang-go"),
        QStringLiteral("go"),
        QStringLiteral("rustc"),
        QStringLiteral("cargo"),
        QStringLiteral("maven"),
        QStringLiteral("gradle"),
        QStringLiteral("default-jdk"),
        QStringLiteral("musl-dev"),
        QStringLiteral("libc6-dev"),
        QStringLiteral("linux-headers"),
    };
    if (kNames.contains(name))
        return true;
    if (name.endsWith(QLatin1String("-dev")) || name.endsWith(QLatin1String("-devel")))
        return true;
    // openjdk-17-jdk, openjdk-17-jdk-headless, java-17-openjdk-devel (above)
    return name.startsWith(QLatin1String("openjdk-")) && name.contains(QLatin1String("-jdk"));
}

// The image's repository name without registry, namespace, tag or digest: "golang" for
// "docker.io/library/golang:1.22@sha256:…".
QString repositoryName(const QString &reference, QString *tag)
{
    QString ref = reference.section(QLatin1Char('@'), 0, 0);
    const qsizetype slash = ref.lastIndexOf(QLatin1Char('/'));
    const qsizetype colon = ref.lastIndexOf(QLatin1Char(':'));
    if (colon > slash) {
        *tag = ref.mid(colon + 1);
        ref.truncate(colon);
    }
    return ref.mid(slash + 1).toLower();
}

bool hasCacheMountUnder(const RunCommand &run, const QString &dir)
{
    for (qsizetype i = 0; i < run.mounts.size(); ++i) {
        if (run.mounts.at(i).type != MountType::Cache)
            continue;
        const QString target =
            run.mountTargets.value(i).isEmpty() ? run.mounts.at(i).target : run.mountTargets.value(i);
        if (target.startsWith(dir) || dir.startsWith(target))
            return true;
    }
    return false;
}

QString baseName(const QString &path)
{
    QString p = path;
    while (p.size() > 1 && p.endsWith(QLatin1Char('/')))
        p.chop(1);
    return p.mid(p.lastIndexOf(QLatin1Char('/')) + 1);
}

} // namespace

ImageContentRules::ImageContentRules(const BuildPlan &plan, const BuildCheckOptions &options,
                                     CheckSession &session)
    : m_plan(plan)
    , m_df(plan.dockerfile())
    , m_options(options)
    , m_session(session)
{}

QList<int> ImageContentRules::finalChain(const BuildPlan &plan)
{
    QList<int> chain;
    int index = plan.target();
    // baseStage always points backwards, so this ends; the bound guards a malformed plan.
    while (index >= 0 && index < plan.stages().size() && chain.size() <= plan.stages().size()) {
        chain.append(index);
        const int base = plan.stages().at(index).from.baseStage;
        if (base >= index)
            break;
        index = base;
    }
    return chain;
}

QString ImageContentRules::runText(const RunCommand &run)
{
    QString text = run.arguments.join(QLatin1Char(' '));
    for (const Heredoc &doc : run.heredocs) {
        text += QLatin1Char('\n');
        text += doc.content;
    }
    return text;
}

QStringList ImageContentRules::toolchainPackages(const QString &runText)
{
    QStringList out;
    const RunScript script = RunScript::parse(runText);
    // Build dependencies removed again in the same RUN (the official images' `apt-get purge
    // --auto-remove`, `apk del .build-deps`) never reach a layer.
    if (script.contains({QStringLiteral("apt-get"), QStringLiteral("apt")}, QStringLiteral("purge")) ||
        script.contains({QStringLiteral("apt-get"), QStringLiteral("apt")}, QStringLiteral("remove")) ||
        script.contains({QStringLiteral("apt-get"), QStringLiteral("apt")}, QStringLiteral("autoremove")) ||
        script.contains({QStringLiteral("apk")}, QStringLiteral("del")) ||
        script.contains({QStringLiteral("yum"), QStringLiteral("dnf")}, QStringLiteral("remove")))
        return out;
    for (const RunScript::Command &command : script.commands()) {
        const RunScript one = RunScript::parse(command.words.join(QLatin1Char(' ')));
        qsizetype at = one.find(kInstallers, QStringLiteral("install"));
        QString verb = QStringLiteral("install");
        if (at < 0) {
            at = one.find({QStringLiteral("apk")}, QStringLiteral("add"));
            verb = QStringLiteral("add");
        }
        if (at < 0)
            continue;
        for (const QString &word : one.argumentsAfterVerb(at, verb)) {
            if (word.startsWith(QLatin1Char('-')))
                continue;
            const QString name = word.section(QLatin1Char('='), 0, 0).toLower();
            if (isToolchainPackage(name) && !out.contains(name))
                out.append(name);
        }
    }
    return out;
}

QString ImageContentRules::toolchainImage(const QString &reference)
{
    QString tag;
    const QString name = repositoryName(reference, &tag);
    if (name == QLatin1String("golang"))
        return QStringLiteral("the Go toolchain");
    if (name == QLatin1String("rust"))
        return QStringLiteral("the Rust toolchain");
    // buildpack-deps' curl and scm variants are the layers below the compilers: no toolchain.
    const bool compilerLessVariant =
        tag.endsWith(QLatin1String("curl")) || tag.endsWith(QLatin1String("scm"));
    if (name == QLatin1String("gcc") || (name == QLatin1String("buildpack-deps") && !compilerLessVariant))
        return QStringLiteral("a C/C++ toolchain");
    if (name == QLatin1String("maven") || name == QLatin1String("gradle"))
        return QStringLiteral("a Java build tool and JDK");
    if (name == QLatin1String("sdk") && reference.contains(QLatin1String("dotnet")))
        return QStringLiteral("the .NET SDK");
    if ((name == QLatin1String("openjdk") || name == QLatin1String("eclipse-temurin") ||
         name == QLatin1String("amazoncorretto")) &&
        !tag.contains(QLatin1String("jre")))
        return QStringLiteral("a JDK");
    return {};
}

bool ImageContentRules::buildsSomething(const QString &runText)
{
    const RunScript script = RunScript::parse(runText);
    const QString empty;
    return script.contains({QStringLiteral("go")}, QStringLiteral("build")) ||
           script.contains({QStringLiteral("go")}, QStringLiteral("install")) ||
           script.contains({QStringLiteral("cargo")}, QStringLiteral("build")) ||
           script.contains({QStringLiteral("cargo")}, QStringLiteral("install")) ||
           script.contains({QStringLiteral("make"), QStringLiteral("gcc"), QStringLiteral("g++"),
                            QStringLiteral("cc"), QStringLiteral("clang"), QStringLiteral("javac")},
                           empty) ||
           script.contains({QStringLiteral("mvn"), QStringLiteral("mvnw")}, QStringLiteral("package")) ||
           script.contains({QStringLiteral("gradle"), QStringLiteral("gradlew")}, QStringLiteral("build")) ||
           script.contains({QStringLiteral("npm"), QStringLiteral("yarn"), QStringLiteral("pnpm")},
                           QStringLiteral("build")) ||
           script.contains({QStringLiteral("dotnet")}, QStringLiteral("publish"));
}

bool ImageContentRules::isSecretFileName(const QString &path)
{
    const QString name = baseName(path).toLower();
    if (name.isEmpty() || name.contains(QLatin1Char('*')) || name.contains(QLatin1Char('?')) ||
        name.endsWith(QLatin1String(".pub")))
        return false;
    static const QSet<QString> kNames = {
        QStringLiteral("id_rsa"),
        QStringLiteral("id_dsa"),
        QStringLiteral("id_ecdsa"),
        QStringLiteral("id_ed25519"),
        QStringLiteral(".env"),
        QStringLiteral(".netrc"),
        QStringLiteral(".npmrc"),
        QStringLiteral(".pypirc"),
        QStringLiteral(".git-credentials"),
        QStringLiteral("credentials"),
        QStringLiteral("credentials.json"),
        QStringLiteral(".htpasswd"),
        QStringLiteral("secrets.json"),
        QStringLiteral("secrets.yaml"),
        QStringLiteral("secrets.yml"),
        QStringLiteral("kubeconfig"),
        QStringLiteral(".dockercfg"),
    };
    if (kNames.contains(name))
        return true;
    if (name.startsWith(QLatin1String(".env."))) {
        static const QStringList kTemplates = {QStringLiteral("example"), QStringLiteral("sample"),
                                               QStringLiteral("template"), QStringLiteral("dist"),
                                               QStringLiteral("defaults")};
        return !kTemplates.contains(name.mid(5));
    }
    // Certificates are public; private keys are not.
    if (name.endsWith(QLatin1String(".pem")))
        return name.contains(QLatin1String("key")) || name.contains(QLatin1String("priv"));
    if (name.endsWith(QLatin1String(".key")))
        return !name.contains(QLatin1String("gpg")) && !name.contains(QLatin1String("pgp"));
    return name.endsWith(QLatin1String(".p12")) || name.endsWith(QLatin1String(".pfx")) ||
           name.endsWith(QLatin1String(".jks")) || name.endsWith(QLatin1String(".keystore")) ||
           name.endsWith(QLatin1String(".ppk"));
}

void ImageContentRules::run()
{
    checkToolchain();
    const QList<int> chain = finalChain(m_plan);
    for (const PlanStage &stage : m_plan.stages()) {
        const bool inFinal = chain.contains(stage.index);
        if (inFinal)
            checkCaches(stage);
        checkCopies(stage, inFinal);
    }
    checkWaste();
}

void ImageContentRules::checkToolchain()
{
    const QList<int> chain = finalChain(m_plan);
    if (chain.isEmpty())
        return;
    // Whether another stage feeds the final image: then it is multi-stage already, and the
    // advice is to move the toolchain out, not to split the file.
    bool multiStage = false;
    for (const int index : chain)
        for (const int dep : m_plan.stages().at(index).dependencies)
            if (!chain.contains(dep))
                multiStage = true;

    struct Evidence
    {
        const Instruction *instruction;
        QString what;
    };
    QList<Evidence> evidence;
    bool builds = false;
    const PlanStage &root = m_plan.stages().at(chain.last());
    if (root.from.baseStage < 0) {
        const QString image = toolchainImage(root.from.base);
        if (!image.isEmpty())
            evidence.append({&m_df.instructions.at(root.from.instruction),
                             QStringLiteral("its base image %1 is %2").arg(root.from.base, image)});
    }
    for (const int index : chain) {
        for (const PlanStep &step : m_plan.stages().at(index).steps) {
            const auto *run = std::get_if<RunCommand>(&step.command);
            if (!run || step.trigger)
                continue;
            const QString text = runText(*run);
            builds = builds || buildsSomething(text);
            const QStringList packages = toolchainPackages(text);
            if (!packages.isEmpty()) {
                evidence.append({&m_df.instructions.at(step.instruction),
                                 QStringLiteral("it installs %1").arg(packages.join(QStringLiteral(", ")))});
            }
        }
    }
    if (evidence.isEmpty())
        return;
    const Instruction &targetFrom = m_df.instructions.at(m_plan.stages().at(chain.first()).from.instruction);
    if (!multiStage) {
        QStringList reasons;
        for (const Evidence &e : std::as_const(evidence))
            reasons.append(e.what);
        m_session.report(
            "FinalStageToolchain", targetFrom, targetFrom.keywordRange,
            QStringLiteral("The image keeps its build toolchain (%1)%2: use a multi-stage build, "
                           "a build stage plus a small final stage that copies only the result")
                .arg(reasons.join(QStringLiteral("; ")),
                     builds ? QStringLiteral(" next to what it builds") : QString()));
        return;
    }
    for (const Evidence &e : std::as_const(evidence)) {
        m_session.report("FinalStageToolchain", *e.instruction, e.instruction->keywordRange,
                         QStringLiteral("The final image carries a build toolchain: %1. Build in an earlier "
                                        "stage and COPY --from only what the program needs to run")
                             .arg(e.what));
    }
}

bool ImageContentRules::ranCommands(int stageIndex) const
{
    // An export stage (FROM scratch, only COPY) holds just what it collected: copying all of it
    // is the point. A stage that ran commands has an OS and its leftovers. An image: unknown.
    int index = stageIndex;
    for (int hops = 0; index >= 0 && index < m_plan.stages().size() && hops <= m_plan.stages().size();
         ++hops) {
        const PlanStage &s = m_plan.stages().at(index);
        for (const PlanStep &step : s.steps)
            if (std::holds_alternative<RunCommand>(step.command))
                return true;
        if (s.from.baseStage >= index)
            break;
        index = s.from.baseStage;
    }
    return false;
}

QString ImageContentRules::costOf(int instruction, const QString &path) const
{
    if (!m_options.lastBuildBytesUnder)
        return {};
    const std::optional<qint64> bytes = m_options.lastBuildBytesUnder(instruction, path);
    if (!bytes || *bytes <= 0)
        return {};
    const double mb = double(*bytes) / (1024.0 * 1024.0);
    return QStringLiteral(" (%1 MiB in this layer of the last build)").arg(mb, 0, 'f', 1);
}

void ImageContentRules::checkCaches(const PlanStage &stage)
{
    const bool pipCacheOff = stage.env.contains(QStringLiteral("PIP_NO_CACHE_DIR"));
    for (const PlanStep &step : stage.steps) {
        const auto *run = std::get_if<RunCommand>(&step.command);
        if (!run || step.trigger)
            continue;
        const Instruction &ins = m_df.instructions.at(step.instruction);
        const QString text = runText(*run);
        const RunScript script = RunScript::parse(text);
        const QStringList apt = {QStringLiteral("apt-get"), QStringLiteral("apt")};
        const bool aptCleans = text.contains(QLatin1String("/var/lib/apt/lists")) ||
                               script.contains(apt, QStringLiteral("dist-clean")) ||
                               hasCacheMountUnder(*run, QStringLiteral("/var/lib/apt"));
        if (script.contains(apt, QStringLiteral("install")) && !aptCleans) {
            m_session.report(
                "PackageCacheInLayer", ins, ins.keywordRange,
                QStringLiteral(
                    "apt-get install leaves the package lists in this layer%1: end the same RUN with "
                    "`rm -rf /var/lib/apt/lists/*`")
                    .arg(costOf(step.instruction, QStringLiteral("/var/lib/apt/lists"))));
        } else if (script.contains(apt, QStringLiteral("update")) &&
                   !script.contains(apt, QStringLiteral("install")) && !aptCleans) {
            m_session.report(
                "PackageCacheInLayer", ins, ins.keywordRange,
                QStringLiteral(
                    "apt-get update in a RUN of its own keeps the package lists in a layer%1 (and a "
                    "cached copy goes stale): update, install and clean up in one RUN")
                    .arg(costOf(step.instruction, QStringLiteral("/var/lib/apt/lists"))));
        }
        const qsizetype apk = script.find({QStringLiteral("apk")}, QStringLiteral("add"));
        // Global options may stand before the verb too (`apk --no-cache add`), so the whole
        // command's words count.
        if (apk >= 0 && !script.argumentsAfterVerb(apk, QString()).contains(QStringLiteral("--no-cache")) &&
            !text.contains(QLatin1String("/var/cache/apk")) &&
            !hasCacheMountUnder(*run, QStringLiteral("/var/cache/apk"))) {
            m_session.report(
                "PackageCacheInLayer", ins, ins.keywordRange,
                QStringLiteral("apk add keeps its package index in this layer%1: use `apk add --no-cache`")
                    .arg(costOf(step.instruction, QStringLiteral("/var/cache/apk"))));
        }
        const QStringList pip = {QStringLiteral("pip"), QStringLiteral("pip3"), QStringLiteral("python"),
                                 QStringLiteral("python3")};
        const qsizetype pipAt = script.find(pip, QStringLiteral("install"));
        if (pipAt >= 0 && !pipCacheOff &&
            !script.argumentsAfterVerb(pipAt, QString()).contains(QStringLiteral("--no-cache-dir")) &&
            !hasCacheMountUnder(*run, QStringLiteral("/root/.cache"))) {
            m_session.report(
                "PackageCacheInLayer", ins, ins.keywordRange,
                QStringLiteral("pip install keeps the downloaded packages in ~/.cache/pip in this "
                               "layer%1: add --no-cache-dir (or use a cache mount)")
                    .arg(costOf(step.instruction, QStringLiteral("/root/.cache/pip"))));
        }
        const QStringList npm = {QStringLiteral("npm")};
        const bool npmInstalls = script.contains(npm, QStringLiteral("install")) ||
                                 script.contains(npm, QStringLiteral("ci")) ||
                                 script.contains(npm, QStringLiteral("i"));
        if (npmInstalls && !text.contains(QLatin1String("cache clean")) &&
            !hasCacheMountUnder(*run, QStringLiteral("/root/.npm"))) {
            m_session.report(
                "PackageCacheInLayer", ins, ins.keywordRange,
                QStringLiteral("npm keeps its download cache in ~/.npm in this layer%1: end the same "
                               "RUN with `npm cache clean --force` (or use a cache mount)")
                    .arg(costOf(step.instruction, QStringLiteral("/root/.npm"))));
        }
        const QStringList yum = {QStringLiteral("yum"), QStringLiteral("dnf"), QStringLiteral("microdnf")};
        if (script.contains(yum, QStringLiteral("install")) && !text.contains(QLatin1String("clean all")) &&
            !text.contains(QLatin1String("/var/cache/yum")) &&
            !text.contains(QLatin1String("/var/cache/dnf"))) {
            m_session.report(
                "PackageCacheInLayer", ins, ins.keywordRange,
                QStringLiteral("yum/dnf install keeps its metadata and packages in /var/cache in this "
                               "layer: end the same RUN with `yum clean all` (or `dnf clean all`)"));
        }
    }
}

void ImageContentRules::checkWaste()
{
    if (!m_options.lastBuild)
        return;
    const LastBuild &last = *m_options.lastBuild;
    QSet<int> stale; // layers of steps edited since the build: their waste is not this text's
    const QHash<int, int> instructionOf = [&] {
        QHash<int, int> byLayer;
        const QHash<int, int> layers = LastBuild::instructionLayers(m_plan, last.layerCreatedBy, &stale);
        for (auto it = layers.constBegin(); it != layers.constEnd(); ++it)
            byLayer.insert(it.value(), it.key());
        return byLayer;
    }();
    // One finding per pair of steps (an `rm -rf` of a tree is one mistake, not a thousand).
    struct Pair
    {
        qint64 bytes = 0;
        QStringList paths; // largest first, as the analysis lists them
        int count = 0;
        bool removed = false;
        bool overwritten = false;
    };
    QMap<std::pair<int, int>, Pair> pairs; // (later layer, written layer)
    for (const LastBuild::Waste &w : last.waste) {
        if (w.bytes <= 0 || w.writtenLayer < 0 || w.laterLayer <= w.writtenLayer ||
            !instructionOf.contains(w.laterLayer) || stale.contains(w.writtenLayer))
            continue;
        Pair &p = pairs[{w.laterLayer, w.writtenLayer}];
        p.bytes += w.bytes;
        ++p.count;
        if (p.paths.size() < 3)
            p.paths.append(w.path);
        (w.removed ? p.removed : p.overwritten) = true;
    }
    const auto size = [](qint64 bytes) {
        if (bytes < 1024)
            return QStringLiteral("%1 bytes").arg(bytes);
        if (bytes < 1024 * 1024)
            return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
        return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
    };
    for (auto it = pairs.constBegin(); it != pairs.constEnd(); ++it) {
        const Pair &p = it.value();
        const Instruction &later = m_df.instructions.at(instructionOf.value(it.key().first));
        const auto written = instructionOf.constFind(it.key().second);
        const QString where =
            written != instructionOf.constEnd()
                ? QStringLiteral("written by line %1").arg(m_df.instructions.at(*written).range.start.line)
                : QStringLiteral("from the base image");
        QString what = p.paths.join(QStringLiteral(", "));
        if (p.count > p.paths.size())
            what += QStringLiteral(" and %1 more").arg(p.count - p.paths.size());
        const QString verb = p.removed && p.overwritten ? QStringLiteral("removes or overwrites")
                             : p.removed                ? QStringLiteral("removes")
                                                        : QStringLiteral("overwrites");
        const QString advice =
            written != instructionOf.constEnd()
                ? QStringLiteral("write them once, in their final form, or remove them in the RUN that "
                                 "writes them")
                : QStringLiteral("removing files of the base image never makes the image smaller");
        m_session.report("WrittenThenDeleted", later, later.keywordRange,
                         QStringLiteral("This step %1 %2 (%3): the earlier layer still carries %4 in the "
                                        "image (figure from the last build, %5); %6")
                             .arg(verb, what, where, size(p.bytes), quoted(last.image), advice));
    }
}

void ImageContentRules::checkCopies(const PlanStage &stage, bool inFinalImage)
{
    for (const PlanStep &step : stage.steps) {
        if (step.trigger)
            continue;
        const CopyCommand *copy = std::get_if<CopyCommand>(&step.command);
        if (!copy) {
            if (const auto *add = std::get_if<AddCommand>(&step.command))
                copy = add;
        }
        if (!copy)
            continue;
        const Instruction &ins = m_df.instructions.at(step.instruction);
        if (!copy->from.isEmpty() && ranCommands(m_plan.stageReference(copy->from, stage.index))) {
            for (const QString &source : copy->sources) {
                QString s = source;
                while (s.endsWith(QLatin1String("/.")) || s.endsWith(QLatin1String("/*")))
                    s.chop(2);
                while (s.size() > 1 && s.endsWith(QLatin1Char('/')))
                    s.chop(1);
                if (s.isEmpty() || s == QLatin1String("/") || s == QLatin1String(".") ||
                    s == QLatin1String("*")) {
                    m_session.report(
                        "CopyWholeFilesystem", ins,
                        QStringLiteral("COPY --from=%1 %2 copies the whole filesystem of %1: its OS, "
                                       "package caches and toolchain come along. Copy only what it "
                                       "built (a binary, a build directory)")
                            .arg(copy->from, source));
                    break;
                }
            }
        }
        if (!inFinalImage)
            continue;
        QStringList names = copy->sources;
        if (!copy->destination.endsWith(QLatin1Char('/')))
            names.append(copy->destination);
        for (const QString &name : std::as_const(names)) {
            if (isSecretFileName(name)) {
                m_session.report(
                    "SecretInImage", ins,
                    QStringLiteral("%1 puts %2 into the final image, and it looks like a key or "
                                   "credentials: anyone who pulls the image can read it, even after a "
                                   "later step deletes it. Use RUN --mount=type=secret at build time "
                                   "and pass run-time secrets when the container starts")
                        .arg(ins.keyword.toUpper(), quoted(name)));
                break;
            }
        }
    }
}

} // namespace stagecraft
