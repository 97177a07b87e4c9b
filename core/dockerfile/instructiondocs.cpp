#include "core/dockerfile/instructiondocs.h"

#include <QCoreApplication>

namespace stagecraft {

namespace {

FlagDoc flag(const char *name, const char *hint, const char *help)
{
    return {QString::fromLatin1(name), QString::fromLatin1(hint), help};
}

QList<InstructionDoc> buildDocs()
{
    const FlagDoc chown =
        flag("chown", "<user>:<group>",
             QT_TRANSLATE_NOOP("stagecraft::InstructionDocs", "Owner and group of the copied files."));
    const FlagDoc chmod =
        flag("chmod", "<perms>",
             QT_TRANSLATE_NOOP("stagecraft::InstructionDocs", "Permissions of the copied files, e.g. 755."));
    const FlagDoc link =
        flag("link", "",
             QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                               "Copy into an independent layer that survives changes to earlier layers."));
    const FlagDoc exclude =
        flag("exclude", "<path>",
             QT_TRANSLATE_NOOP("stagecraft::InstructionDocs", "Leave out files matching this pattern."));
    return {
        {InstructionKind::From,
         QStringLiteral("FROM"),
         QStringLiteral("FROM [--platform=<platform>] <image> [AS <name>]"),
         QT_TRANSLATE_NOOP(
             "stagecraft::InstructionDocs",
             "Starts a new build stage from a base image, from an earlier stage, or from the empty "
             "image scratch. Each FROM begins a stage; AS gives the stage a name that COPY --from and "
             "later FROM lines can use."),
         {flag("platform", "<platform>",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                                 "Platform of the base image, e.g. linux/arm64."))}},
        {InstructionKind::Run,
         QStringLiteral("RUN"),
         QStringLiteral("RUN [--mount=...] <command> | [\"exec\", \"arg\"]"),
         QT_TRANSLATE_NOOP(
             "stagecraft::InstructionDocs",
             "Runs a command in the stage's filesystem and records the changes as a new layer."),
         {flag("mount", "type=<cache|bind|secret|ssh|tmpfs>[,from=<stage>]...",
               QT_TRANSLATE_NOOP(
                   "stagecraft::InstructionDocs",
                   "Mounts a cache, files of another stage, a secret or an SSH agent while the command "
                   "runs.")),
          flag("network", "<default|none|host>",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs", "Network access of the command.")),
          flag("security", "<sandbox|insecure>",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                                 "Whether the command runs in the usual sandbox."))}},
        {InstructionKind::Cmd,
         QStringLiteral("CMD"),
         QStringLiteral("CMD [\"executable\", \"arg\"] | CMD <command>"),
         QT_TRANSLATE_NOOP(
             "stagecraft::InstructionDocs",
             "The default command of a container, or default arguments for the ENTRYPOINT. Only the last "
             "CMD of a stage counts."),
         {}},
        {InstructionKind::Label,
         QStringLiteral("LABEL"),
         QStringLiteral("LABEL <key>=<value> ..."),
         QT_TRANSLATE_NOOP("stagecraft::InstructionDocs", "Adds metadata to the image as key-value pairs."),
         {}},
        {InstructionKind::Maintainer,
         QStringLiteral("MAINTAINER"),
         QStringLiteral("MAINTAINER <name>"),
         QT_TRANSLATE_NOOP(
             "stagecraft::InstructionDocs",
             "Deprecated: names the author of the image. Use LABEL org.opencontainers.image.authors "
             "instead."),
         {}},
        {InstructionKind::Expose,
         QStringLiteral("EXPOSE"),
         QStringLiteral("EXPOSE <port>[/<protocol>] ..."),
         QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                           "Documents the network ports the container listens on. It does not publish them."),
         {}},
        {InstructionKind::Env,
         QStringLiteral("ENV"),
         QStringLiteral("ENV <key>=<value> ..."),
         QT_TRANSLATE_NOOP(
             "stagecraft::InstructionDocs",
             "Sets environment variables for the following instructions and for the running container."),
         {}},
        {InstructionKind::Add,
         QStringLiteral("ADD"),
         QStringLiteral("ADD [--chown=...] <src>... <dest>"),
         QT_TRANSLATE_NOOP(
             "stagecraft::InstructionDocs",
             "Copies files, URLs or Git repositories into the image; local tar archives are unpacked. "
             "Prefer COPY for plain files."),
         {chown, chmod, link, exclude,
          flag("keep-git-dir", "<bool>",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                                 "Keep the .git directory when adding a Git repository.")),
          flag("checksum", "<digest>",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs", "Expected checksum of a remote file."))}},
        {InstructionKind::Copy,
         QStringLiteral("COPY"),
         QStringLiteral("COPY [--from=<stage|image>] [--chown=...] <src>... <dest>"),
         QT_TRANSLATE_NOOP(
             "stagecraft::InstructionDocs",
             "Copies files from the build context, or with --from from another stage or image, into the "
             "stage's filesystem."),
         {flag("from", "<stage|image>",
               QT_TRANSLATE_NOOP(
                   "stagecraft::InstructionDocs",
                   "Copy from this stage (name or index) or image instead of the build context.")),
          chown, chmod, link, exclude,
          flag("parents", "",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                                 "Keep the parent directories of the sources."))}},
        {InstructionKind::Entrypoint,
         QStringLiteral("ENTRYPOINT"),
         QStringLiteral("ENTRYPOINT [\"executable\", \"arg\"] | ENTRYPOINT <command>"),
         QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                           "The program a container runs. CMD supplies its default arguments."),
         {}},
        {InstructionKind::Volume,
         QStringLiteral("VOLUME"),
         QStringLiteral("VOLUME [\"/path\", ...]"),
         QT_TRANSLATE_NOOP("stagecraft::InstructionDocs", "Marks paths as mount points for volumes."),
         {}},
        {InstructionKind::User,
         QStringLiteral("USER"),
         QStringLiteral("USER <user>[:<group>]"),
         QT_TRANSLATE_NOOP(
             "stagecraft::InstructionDocs",
             "Sets the user (and group) for the following RUN, CMD and ENTRYPOINT instructions."),
         {}},
        {InstructionKind::Workdir,
         QStringLiteral("WORKDIR"),
         QStringLiteral("WORKDIR <path>"),
         QT_TRANSLATE_NOOP(
             "stagecraft::InstructionDocs",
             "Sets the working directory for the following instructions; creates it when missing."),
         {}},
        {InstructionKind::Arg,
         QStringLiteral("ARG"),
         QStringLiteral("ARG <name>[=<default>]"),
         QT_TRANSLATE_NOOP(
             "stagecraft::InstructionDocs",
             "Declares a build argument that --build-arg can set. Before the first FROM it can be used "
             "in FROM lines; inside a stage it must be declared again."),
         {}},
        {InstructionKind::Onbuild,
         QStringLiteral("ONBUILD"),
         QStringLiteral("ONBUILD <instruction>"),
         QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                           "Stores an instruction that runs when another build uses this image as its base."),
         {}},
        {InstructionKind::Stopsignal,
         QStringLiteral("STOPSIGNAL"),
         QStringLiteral("STOPSIGNAL <signal>"),
         QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                           "The signal sent to the container to stop it, e.g. SIGTERM."),
         {}},
        {InstructionKind::Healthcheck,
         QStringLiteral("HEALTHCHECK"),
         QStringLiteral("HEALTHCHECK [--interval=...] CMD <command> | HEALTHCHECK NONE"),
         QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                           "Tells the container runtime how to check that the container still works."),
         {flag("interval", "<duration>",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs", "Time between checks (default 30s).")),
          flag("timeout", "<duration>",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                                 "Time after which a check counts as failed (default 30s).")),
          flag("start-period", "<duration>",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                                 "Time the container may take to start before failures count.")),
          flag("start-interval", "<duration>",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                                 "Time between checks during the start period.")),
          flag("retries", "<n>",
               QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                                 "Failures in a row before the container is unhealthy (default 3)."))}},
        {InstructionKind::Shell,
         QStringLiteral("SHELL"),
         QStringLiteral("SHELL [\"executable\", \"parameters\"]"),
         QT_TRANSLATE_NOOP("stagecraft::InstructionDocs",
                           "Sets the shell used by the shell form of RUN, CMD and ENTRYPOINT."),
         {}},
    };
}

} // namespace

QString FlagDoc::completion() const
{
    QString text = QStringLiteral("--") + name;
    if (!valueHint.isEmpty())
        text += QLatin1Char('=');
    return text;
}

const QList<InstructionDoc> &InstructionDocs::all()
{
    static const QList<InstructionDoc> docs = buildDocs();
    return docs;
}

const InstructionDoc *InstructionDocs::find(InstructionKind kind)
{
    for (const InstructionDoc &doc : all())
        if (doc.kind == kind)
            return &doc;
    return nullptr;
}

const InstructionDoc *InstructionDocs::find(const QString &keyword)
{
    return find(instructionKindFromKeyword(keyword));
}

QStringList InstructionDocs::keywords()
{
    QStringList result;
    for (const InstructionDoc &doc : all())
        result.append(doc.keyword);
    return result;
}

} // namespace stagecraft
