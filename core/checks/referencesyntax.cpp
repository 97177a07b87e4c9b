#include "core/checks/referencesyntax.h"

#include <QRegularExpression>
#include <QStringList>

namespace stagecraft::referencesyntax {

namespace {

QString normalizedArch(const QString &arch)
{
    const QString a = arch.toLower();
    if (a == QLatin1String("i386"))
        return QStringLiteral("386");
    if (a == QLatin1String("x86_64") || a == QLatin1String("x86-64"))
        return QStringLiteral("amd64");
    if (a == QLatin1String("aarch64"))
        return QStringLiteral("arm64");
    if (a == QLatin1String("armhf") || a == QLatin1String("armel"))
        return QStringLiteral("arm");
    return a;
}

} // namespace

std::optional<Platform> parsePlatform(const QString &text)
{
    static const QStringList kOses = {
        QStringLiteral("aix"),       QStringLiteral("android"), QStringLiteral("darwin"),
        QStringLiteral("dragonfly"), QStringLiteral("freebsd"), QStringLiteral("hurd"),
        QStringLiteral("illumos"),   QStringLiteral("ios"),     QStringLiteral("js"),
        QStringLiteral("linux"),     QStringLiteral("nacl"),    QStringLiteral("netbsd"),
        QStringLiteral("openbsd"),   QStringLiteral("plan9"),   QStringLiteral("solaris"),
        QStringLiteral("wasip1"),    QStringLiteral("windows"), QStringLiteral("zos")};
    static const QStringList kArches = {
        QStringLiteral("386"),     QStringLiteral("amd64"),   QStringLiteral("amd64p32"),
        QStringLiteral("arm"),     QStringLiteral("armbe"),   QStringLiteral("arm64"),
        QStringLiteral("arm64be"), QStringLiteral("loong64"), QStringLiteral("mips"),
        QStringLiteral("mipsle"),  QStringLiteral("mips64"),  QStringLiteral("mips64le"),
        QStringLiteral("ppc"),     QStringLiteral("ppc64"),   QStringLiteral("ppc64le"),
        QStringLiteral("riscv"),   QStringLiteral("riscv64"), QStringLiteral("s390"),
        QStringLiteral("s390x"),   QStringLiteral("sparc"),   QStringLiteral("sparc64"),
        QStringLiteral("wasm")};
    static const QRegularExpression kComponent(QStringLiteral("^[A-Za-z0-9_-]+$"));

    const QStringList parts = text.split(QLatin1Char('/'));
    if (parts.isEmpty() || parts.size() > 3)
        return std::nullopt;
    for (const QString &p : parts)
        if (!kComponent.match(p).hasMatch())
            return std::nullopt;
    Platform p;
    if (parts.size() == 1) {
        const QString word = parts.first().toLower();
        if (kOses.contains(word) || word == QLatin1String("macos")) {
            p.os = word == QLatin1String("macos") ? QStringLiteral("darwin") : word;
            p.arch = QStringLiteral("amd64");
        } else if (kArches.contains(normalizedArch(word))) {
            p.os = QStringLiteral("linux");
            p.arch = normalizedArch(word);
        } else {
            return std::nullopt;
        }
        return p;
    }
    p.os = parts.at(0).toLower();
    if (p.os == QLatin1String("macos"))
        p.os = QStringLiteral("darwin");
    p.arch = normalizedArch(parts.at(1));
    if (parts.size() == 3)
        p.variant = parts.at(2).toLower();
    return p;
}

bool isValidImageReference(const QString &ref)
{
    static const QRegularExpression kHexId(QStringLiteral("^[a-f0-9]{64}$"));
    static const QString kDomainComponent =
        QStringLiteral("(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])");
    static const QString kDomain =
        QStringLiteral("(?:%1(?:\\.%1)*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?").arg(kDomainComponent);
    static const QString kPathComponent = QStringLiteral("[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*");
    static const QRegularExpression kReference(
        QStringLiteral("^(%1/%2(?:/%2)*)(?::[\\w][\\w.-]{0,127})?"
                       "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")
            .arg(kDomain, kPathComponent));

    if (ref.isEmpty() || kHexId.match(ref).hasMatch())
        return false;
    QString domain = QStringLiteral("docker.io");
    QString remainder = ref;
    const qsizetype slash = ref.indexOf(QLatin1Char('/'));
    if (slash >= 0) {
        const QString first = ref.left(slash);
        if (first.contains(QLatin1Char('.')) || first.contains(QLatin1Char(':')) ||
            first == QLatin1String("localhost") || first != first.toLower()) {
            domain = first;
            remainder = ref.mid(slash + 1);
        }
    }
    const qsizetype colon = remainder.indexOf(QLatin1Char(':'));
    const QString remoteName = colon >= 0 ? remainder.left(colon) : remainder;
    if (remoteName != remoteName.toLower())
        return false;
    const QRegularExpressionMatch m = kReference.match(domain + QLatin1Char('/') + remainder);
    return m.hasMatch() && m.capturedLength(1) <= 255;
}

} // namespace stagecraft::referencesyntax
