// Where a `COPY --from=<stage> <path> <dest>` line goes when a file of one stage is
// dropped on another stage, and how it is written: a pure text edit over a Dockerfile,
// so the window only confirms it and applies it as one undo step.
#pragma once

#include "core/dockerfile/dockerfile.h"

#include <QString>
#include <QStringView>

namespace stagecraft {

class CopyInsertion
{
public:
    struct Request
    {
        QString sourceStage; // the stage the file comes from: its name, or its index as text
        QString sourcePath;  // absolute path inside that stage
        bool directory = false;
        int targetStage = -1; // index of the stage that receives the line (FROM order, 0-based)
        QString destination;  // empty: the same path as the source
    };

    struct Result
    {
        bool ok = false;
        QString error;          // a sentence for the person when !ok
        QString instruction;    // the line without its indentation and newline
        qsizetype position = 0; // offset in the text where `insertText` goes
        QString insertText;     // what to insert there (indentation and newline(s) included)
        int line = 0;           // 1-based line number of the new instruction after the edit
    };

    // Placement rule, in the target stage (from its FROM to the next FROM):
    //  1. right after the stage's last COPY/ADD --from, so copies from other stages stay
    //     together;
    //  2. otherwise before the run of runtime settings that ends the stage (CMD,
    //     ENTRYPOINT, USER, EXPOSE, HEALTHCHECK, STOPSIGNAL, VOLUME, ONBUILD) and the
    //     comment lines right above it: files belong in the image before what starts it,
    //     and a trailing USER usually drops privileges after the files are in place;
    //  3. otherwise after the stage's last instruction.
    // The source stage is named by its name, or by its index when it has none. Paths that
    // the shell form would change (spaces, quotes, `$`, escapes) are written in JSON form;
    // glob characters in the source are escaped. Refused: a stage copying from itself or
    // from a later stage (a cycle, or a reference BuildKit cannot resolve), unknown stages,
    // and paths that are not absolute.
    static Result compute(QStringView text, const Request &request);

    // `text` with the result's edit applied (unchanged when !result.ok).
    static QString apply(QStringView text, const Result &result);

    // The index of the stage containing 1-based `line` (lines between two stages belong
    // to the earlier one), or -1 before the first FROM.
    static int stageAtLine(const Dockerfile &dockerfile, int line);
};

} // namespace stagecraft
