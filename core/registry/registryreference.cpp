#include "core/registry/registryreference.h"

#include <QRegularExpression>

namespace stagecraft {

namespace {

// Docker's grammar (distribution/reference): path components of lower-case letters and
// digits joined by ".", "_", "__" or runs of "-"; a domain of DNS labels with a port.
const QRegularExpression &componentPattern()
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$"));
    return re;
}

const QRegularExpression &domainPattern()
{
    static const QRegularExpression re(QStringLiteral(
        "^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*"
        "(?::[0-9]+)?$|^\\[[0-9a-fA-F:]+\\](?::[0-9]+)?$"));
    return re;
}

const QRegularExpression &tagPattern()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"));
    return re;
}

bool looksLikeDomain(const QString &component)
{
    return component.contains(QLatin1Char('.')) || component.contains(QLatin1Char(':')) ||
           component == QLatin1String("localhost") || component.startsWith(QLatin1Char('['));
}

} // namespace

Expected<RegistryReference> RegistryReference::parse(const QString &text)
{
    const QString ref = text.trimmed();
    if (ref.isEmpty())
        return fail(QStringLiteral("an image name is empty"));
    RegistryReference result;
    QString rest = ref;
    if (const qsizetype at = rest.indexOf(QLatin1Char('@')); at >= 0) {
        auto digest = Digest::parse(rest.mid(at + 1));
        if (!digest)
            return fail(QStringLiteral("`%1`: %2").arg(ref, digest.error().message));
        result.m_digest = *digest;
        rest = rest.left(at);
    }
    QString domain;
    QString path = rest;
    if (const qsizetype slash = rest.indexOf(QLatin1Char('/'));
        slash >= 0 && looksLikeDomain(rest.left(slash))) {
        domain = rest.left(slash);
        path = rest.mid(slash + 1);
    }
    if (const qsizetype colon = path.lastIndexOf(QLatin1Char(':')); colon >= 0) {
        const QString tag = path.mid(colon + 1);
        if (!tagPattern().match(tag).hasMatch())
            return fail(
                QStringLiteral("`%1`: the tag `%2` is not valid (letters, digits, `_`, `.`, `-`; at most "
                               "128; not starting with `.` or `-`)")
                    .arg(ref, tag));
        result.m_tag = tag;
        path = path.left(colon);
    }
    if (path.isEmpty())
        return fail(QStringLiteral("`%1` has no repository name").arg(ref));
    const QStringList components = path.split(QLatin1Char('/'));
    for (const QString &component : components) {
        if (componentPattern().match(component).hasMatch())
            continue;
        if (component.toLower() != component && componentPattern().match(component.toLower()).hasMatch())
            return fail(
                QStringLiteral("`%1`: repository names must be lower-case (`%2`)").arg(ref, component));
        return fail(QStringLiteral("`%1` is not a valid image name: `%2` should be lower-case letters and "
                                   "digits joined by `.`, `_` or `-`")
                        .arg(ref, component));
    }
    if (!domain.isEmpty() && !domainPattern().match(domain).hasMatch())
        return fail(QStringLiteral("`%1`: `%2` is not a valid registry host").arg(ref, domain));
    if (domain.isEmpty() || domain == QLatin1String("index.docker.io") ||
        domain == QLatin1String("registry-1.docker.io"))
        domain = DockerHub;
    if (domain == DockerHub && components.size() == 1)
        path = QStringLiteral("library/") + path;
    if (domain.size() + 1 + path.size() > 255)
        return fail(
            QStringLiteral("`%1` is longer than the 255 characters a repository name may have").arg(ref));
    result.m_registry = domain;
    result.m_repository = path;
    if (result.m_tag.isEmpty() && !result.m_digest.isValid())
        result.m_tag = QStringLiteral("latest");
    return result;
}

QString RegistryReference::manifestReference() const
{
    return m_digest.isValid() ? m_digest.toString() : m_tag;
}

QString RegistryReference::canonical() const
{
    QString text = m_registry + QLatin1Char('/') + m_repository;
    if (!m_tag.isEmpty())
        text += QLatin1Char(':') + m_tag;
    if (m_digest.isValid())
        text += QLatin1Char('@') + m_digest.toString();
    return text;
}

QString RegistryReference::familiarRepository() const
{
    if (m_registry != DockerHub)
        return m_registry + QLatin1Char('/') + m_repository;
    if (m_repository.startsWith(QLatin1String("library/")) && m_repository.count(QLatin1Char('/')) == 1)
        return m_repository.mid(8);
    return m_repository;
}

QString RegistryReference::familiar() const
{
    QString text = familiarRepository();
    if (!m_tag.isEmpty())
        text += QLatin1Char(':') + m_tag;
    if (m_digest.isValid())
        text += QLatin1Char('@') + m_digest.toString();
    return text;
}

QString RegistryReference::apiHost() const
{
    return m_registry == DockerHub ? QStringLiteral("registry-1.docker.io") : m_registry;
}

RegistryReference RegistryReference::withRepository(const QString &registry, const QString &repository) const
{
    RegistryReference copy = *this;
    copy.m_registry = registry;
    copy.m_repository = repository;
    return copy;
}

RegistryReference RegistryReference::withTag(const QString &tag) const
{
    RegistryReference copy = *this;
    copy.m_tag = tag;
    copy.m_digest = {};
    return copy;
}

} // namespace stagecraft
