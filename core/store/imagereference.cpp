#include "core/store/imagereference.h"

#include <QRegularExpression>

namespace stagecraft {

namespace {

qsizetype tagColon(const QString &ref)
{
    const qsizetype slash = ref.lastIndexOf(QLatin1Char('/'));
    return ref.indexOf(QLatin1Char(':'), slash + 1);
}

} // namespace

Expected<QString> ImageReference::normalise(const QString &reference)
{
    static const QRegularExpression name(QStringLiteral(
        "^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$"));
    static const QRegularExpression tagPattern(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"));
    static const QRegularExpression digestPattern(QStringLiteral("^sha256:[0-9a-f]{64}$"));
    const QString ref = reference.trimmed();
    if (ref.isEmpty())
        return fail(QStringLiteral("an image name is empty"));
    QString repo = ref;
    QString suffix;
    if (const qsizetype at = ref.indexOf(QLatin1Char('@')); at >= 0) {
        repo = ref.left(at);
        const QString digest = ref.mid(at + 1);
        if (!digestPattern.match(digest).hasMatch())
            return fail(QStringLiteral("`%1`: `%2` is not a sha256 digest").arg(ref, digest));
        suffix = QLatin1Char('@') + digest;
    } else if (const qsizetype colon = tagColon(ref); colon >= 0) {
        repo = ref.left(colon);
        const QString tag = ref.mid(colon + 1);
        if (!tagPattern.match(tag).hasMatch())
            return fail(
                QStringLiteral("`%1`: the tag `%2` is not valid (letters, digits, `_`, `.`, `-`; at most "
                               "128; not starting with `.` or `-`)")
                    .arg(ref, tag));
        suffix = QLatin1Char(':') + tag;
    } else {
        suffix = QStringLiteral(":latest");
    }
    if (!name.match(repo).hasMatch())
        return fail(
            QStringLiteral("`%1` is not a valid image name (lower-case letters, digits and `.`, `_`, `-` "
                           "separators, path components with `/`)")
                .arg(ref));
    return repo + suffix;
}

QString ImageReference::repository(const QString &normalised)
{
    if (const qsizetype at = normalised.indexOf(QLatin1Char('@')); at >= 0)
        return normalised.left(at);
    const qsizetype colon = tagColon(normalised);
    return colon < 0 ? normalised : normalised.left(colon);
}

QString ImageReference::tag(const QString &normalised)
{
    if (const qsizetype at = normalised.indexOf(QLatin1Char('@')); at >= 0)
        return normalised.mid(at + 1);
    const qsizetype colon = tagColon(normalised);
    return colon < 0 ? QString() : normalised.mid(colon + 1);
}

} // namespace stagecraft
