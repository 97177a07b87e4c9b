// A unified diff (`diff -u` format, three lines of context) between two texts, for
// `stagecraft check --fix`. Myers' algorithm with a bound on the edit distance: past it, the
// differing middle is shown as one replaced block, so a hostile 10,000-line file cannot make
// the diff take quadratic time or memory.
#pragma once

#include <QString>

namespace stagecraft {

class UnifiedDiff
{
public:
    // Empty when the texts are equal. `oldName` "/dev/null" shows a file being created.
    static QString make(const QString &oldText, const QString &newText, const QString &oldName,
                        const QString &newName);

    static constexpr int kMaxEdits = 2000; // edit distance Myers' search goes to
};

} // namespace stagecraft
