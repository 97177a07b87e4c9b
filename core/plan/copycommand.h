// COPY, read once: sources, destination, heredoc sources and the flags (--from, --chown,
// --chmod, --link, --parents, --exclude) as typed values. ADD extends it.
#pragma once

#include "core/dockerfile/instruction.h"
#include "core/plan/commandbase.h"
#include "core/plan/filemodechange.h"

#include <QList>
#include <QStringList>

#include <optional>

namespace stagecraft {

class StageScope;

// A `<<NAME` source: the file NAME with the heredoc's body (expanded unless quoted).
struct HeredocSource
{
    QString name;
    QString content;
};

struct Ownership
{
    QString user;  // a name or a number, resolved against the stage's /etc/passwd when built
    QString group; // empty: the user's group
    QString text;  // as given after expansion
};

struct CopyCommand : CommandBase
{
    QStringList sources; // expanded; from the context, or from `from` when set
    QString destination;
    QList<HeredocSource> heredocSources;
    QString from; // --from as written (BuildKit does not expand it): a stage name, an index or an image
    std::optional<Ownership> chown;
    std::optional<FileModeChange> chmod;
    bool link = false;
    bool parents = false;
    QStringList excludes;

    static CopyCommand read(const Instruction &instruction, int index, StageScope &scope);

protected:
    void readCommon(const Instruction &instruction, int index, StageScope &scope);
};

} // namespace stagecraft
