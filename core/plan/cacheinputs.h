// What a step's cache key is made of that is known before anything runs: the instruction's
// canonical text after plan-time expansion and what it reads (stages, images, context
// paths). The builder adds what only execution knows (parent snapshot, file contents).
#pragma once

#include "core/plan/command.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

class StageScope;

struct CacheInputs
{
    QString text;             // canonical text: `COPY --from=build --chmod=755 app /bin/`
    QList<int> stages;        // stages whose result the step reads (--from, --mount from=)
    QStringList images;       // external images it reads
    QStringList contextPaths; // build-context paths it reads (COPY/ADD sources, bind sources)
    bool complete = true;     // false when the text still holds a variable the base image may set

    // The text and context paths of `command` in `scope` (the scope after the command was
    // read: for RUN the ARGs in scope are part of the key, as BuildKit's `|N k=v` prefix).
    static CacheInputs of(const Command &command, const StageScope &scope);
};

} // namespace stagecraft
