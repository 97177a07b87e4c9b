// Stagecraft's rules about what ends up in the final image: a build toolchain the program
// does not need to run (FinalStageToolchain, SC001), a whole filesystem copied from another
// stage (CopyWholeFilesystem, SC003), package-manager caches left in a layer
// (PackageCacheInLayer, SC004) and files that look like keys or credentials (SecretInImage,
// SC005), and, when the last build's image is known, files written in one layer and removed or
// overwritten in a later one (WrittenThenDeleted, SC009). Only the stages the final image is made of count
// for SC001, SC004 and SC005: the target and the stages it builds FROM; what a build stage leaves behind is
// thrown away.
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/checks/checksession.h"
#include "core/plan/buildplan.h"

#include <QList>
#include <QStringList>

namespace stagecraft {

class ImageContentRules
{
public:
    ImageContentRules(const BuildPlan &plan, const BuildCheckOptions &options, CheckSession &session);

    void run();

    // The stages whose layers make the final image: the target, then what it builds FROM.
    static QList<int> finalChain(const BuildPlan &plan);
    // The build packages an install command names (gcc, build-essential, libssl-dev…).
    static QStringList toolchainPackages(const QString &runText);
    // Why the image `reference` is a toolchain ("golang:1.22" is the Go toolchain), or empty.
    static QString toolchainImage(const QString &reference);
    // Whether the RUN text compiles or packages something (go build, make, npm run build…).
    static bool buildsSomething(const QString &runText);
    // Whether a file name looks like a key or credentials (id_rsa, .env, server.pem).
    static bool isSecretFileName(const QString &path);
    // A RUN's text as the shell sees it: the command line and its heredoc bodies.
    static QString runText(const RunCommand &run);

private:
    void checkToolchain();
    void checkCaches(const PlanStage &stage);
    void checkCopies(const PlanStage &stage, bool inFinalImage);
    void checkWaste();
    QString costOf(int instruction, const QString &path) const;
    bool ranCommands(int stageIndex) const;

    const BuildPlan &m_plan;
    const Dockerfile &m_df;
    const BuildCheckOptions &m_options;
    CheckSession &m_session;
};

} // namespace stagecraft
