#include "core/plan/addcommand.h"

#include "core/plan/stagescope.h"

#include <QRegularExpression>

namespace stagecraft {

namespace {

// go-digest's Parse and Validate, with its messages.
Expected<void> validateDigest(const QString &digest)
{
    const qsizetype colon = digest.indexOf(QLatin1Char(':'));
    if (colon <= 0 || colon + 1 >= digest.size())
        return fail(QStringLiteral("invalid checksum digest format"));
    const QString algorithm = digest.left(colon);
    const QString hex = digest.mid(colon + 1);
    qsizetype length = 0;
    if (algorithm == QLatin1String("sha256"))
        length = 64;
    else if (algorithm == QLatin1String("sha384"))
        length = 96;
    else if (algorithm == QLatin1String("sha512"))
        length = 128;
    else
        return fail(QStringLiteral("unsupported digest algorithm"));
    static const QRegularExpression lowerHex(QStringLiteral("^[a-f0-9]*$"));
    if (!lowerHex.match(hex).hasMatch())
        return fail(QStringLiteral("invalid checksum digest format"));
    if (hex.size() != length)
        return fail(QStringLiteral("invalid checksum digest length"));
    return {};
}

} // namespace

bool AddCommand::isRemote(const QString &source)
{
    return source.startsWith(QLatin1String("http://")) || source.startsWith(QLatin1String("https://")) ||
           isGit(source);
}

// BuildKit's rule for a git source: a git or ssh URL, `git@host:repo`, or an http(s) URL
// of a repository (ending in .git, or .git with a #ref); a local `x.git` is a file.
bool AddCommand::isGit(const QString &source)
{
    if (source.startsWith(QLatin1String("git@")) || source.startsWith(QLatin1String("git://")) ||
        source.startsWith(QLatin1String("ssh://")))
        return true;
    const bool http =
        source.startsWith(QLatin1String("http://")) || source.startsWith(QLatin1String("https://"));
    const QString path = source.section(QLatin1Char('#'), 0, 0);
    return http && path.endsWith(QLatin1String(".git"));
}

AddCommand AddCommand::read(const Instruction &ins, int index, StageScope &scope)
{
    AddCommand add;
    add.readCommon(ins, index, scope);
    for (const Flag &flag : ins.flags) {
        const bool on = !flag.hasValue || flag.value.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
        if (flag.name == QLatin1String("keep-git-dir")) {
            add.keepGitDir = on;
        } else if (flag.name == QLatin1String("unpack")) {
            add.unpack = on;
        } else if (flag.name == QLatin1String("checksum")) {
            add.checksum = scope.expand(flag.value, flag.range);
            if (auto valid = validateDigest(add.checksum); !valid) {
                scope.error(flag.range, valid.error().message);
            } else if (add.sources.size() != 1) {
                scope.error(flag.range, QStringLiteral("checksum can't be specified for multiple sources"));
            } else if (!isRemote(add.sources.first())) {
                scope.error(flag.range,
                            QStringLiteral("checksum can't be specified for non-HTTP(S) sources"));
            }
        }
    }
    return add;
}

} // namespace stagecraft
