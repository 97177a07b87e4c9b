// The `# check=skip=A,B;experimental=C;error=true` directive (or the BUILDKIT_DOCKERFILE_CHECK
// build argument): which build-check rules report, and whether as errors.
#pragma once

#include <QString>
#include <QStringList>

namespace stagecraft {

struct CheckDirective
{
    bool skipAll = false;
    QStringList skip;
    bool experimentalAll = false;
    QStringList experimental;
    bool error = false;
    QString problem; // why the directive is invalid; empty when it is fine

    static CheckDirective parse(const QString &text);
    // Whether `rule` reports at all under this directive (experimental rules need opting in).
    bool enables(const QString &rule, bool experimentalRule) const;
};

} // namespace stagecraft
