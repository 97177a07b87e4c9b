#include "core/context/dockerignore.h"

#include "core/context/gopath.h"

#include <QFile>
#include <QStringList>

namespace stagecraft {

Expected<DockerIgnore> DockerIgnore::parse(const QString &text)
{
    QStringList patterns;
    QString body = text;
    if (body.startsWith(QChar(0xFEFF)))
        body.remove(0, 1);
    const QStringList lines = body.split(u'\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        QString line = lines[n];
        if (line.startsWith(u'#'))
            continue;
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        const bool invert = line.startsWith(u'!');
        if (invert)
            line = line.mid(1).trimmed();
        if (!line.isEmpty()) {
            line = GoPath::clean(line);
            if (line.size() > 1 && line.startsWith(u'/'))
                line = line.mid(1);
        }
        if (invert)
            line.prepend(u'!');
        Expected<IgnorePattern> p = IgnorePattern::compile(line);
        if (!p)
            return fail(QStringLiteral(".dockerignore line %1: %2").arg(n + 1).arg(p.error().message));
        patterns.append(line);
    }
    return fromPatterns(patterns);
}

Expected<DockerIgnore> DockerIgnore::fromPatterns(const QStringList &patterns)
{
    DockerIgnore rules;
    for (const QString &text : patterns) {
        if (text.trimmed().isEmpty())
            continue;
        Expected<IgnorePattern> p = IgnorePattern::compile(text);
        if (!p)
            return std::unexpected(p.error());
        rules.m_hasExceptions = rules.m_hasExceptions || p->isException();
        rules.m_patterns.append(std::move(*p));
    }
    return rules;
}

Expected<DockerIgnore> DockerIgnore::load(const QString &filePath)
{
    QFile file(filePath);
    if (!file.exists())
        return DockerIgnore();
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(filePath, file.errorString()));
    Expected<DockerIgnore> rules = parse(QString::fromUtf8(file.readAll()));
    if (!rules)
        return fail(filePath + QStringLiteral(": ") + rules.error().message);
    return rules;
}

bool DockerIgnore::isExcluded(const QString &path) const
{
    bool excluded = false;
    for (const IgnorePattern &p : m_patterns) {
        // An include pattern cannot change an already excluded path, nor an exception
        // a path that is not excluded; last match wins.
        if (p.isException() != excluded)
            continue;
        if (p.matches(path))
            excluded = !p.isException();
    }
    return excluded;
}

bool DockerIgnore::canSkipDirectory(const QString &dir) const
{
    if (!isExcluded(dir))
        return false;
    if (!m_hasExceptions)
        return true;
    const QString dirSlash = dir + u'/';
    for (const IgnorePattern &p : m_patterns) {
        if (!p.isException())
            continue;
        // An exception with a wildcard could match anywhere: look inside to be safe.
        if (!p.isLiteral())
            return false;
        if (QString(p.pattern() + u'/').startsWith(dirSlash))
            return false;
    }
    return true;
}

} // namespace stagecraft
