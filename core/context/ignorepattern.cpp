#include "core/context/ignorepattern.h"

#include "core/context/gopath.h"
#include "core/context/pathglob.h"

#include <QStringList>

namespace stagecraft {

Expected<IgnorePattern> IgnorePattern::compile(const QString &text)
{
    QString p = text.trimmed();
    if (p.isEmpty())
        return fail(QStringLiteral("empty .dockerignore pattern"));
    p = GoPath::clean(p);

    IgnorePattern result;
    if (p.startsWith(u'!')) {
        if (p.size() == 1)
            return fail(QStringLiteral("illegal exclusion pattern: \"!\""));
        result.m_exception = true;
        p = p.mid(1);
    }
    // Docker validates the syntax with filepath.Match before using its own matcher.
    if (!PathGlob::isValid(p))
        return fail(QStringLiteral("syntax error in .dockerignore pattern \"%1\"").arg(text.trimmed()));
    result.m_cleaned = p;

    // Translate to a regular expression the way patternmatcher does, and remember when
    // a cheaper comparison (exact, prefix, suffix) gives the same answer.
    const QList<uint> chars = p.toUcs4();
    auto charAt = [&](qsizetype i) -> uint { return i < chars.size() ? chars[i] : 0; };
    QString re = QStringLiteral("^");
    Kind kind = Kind::Exact;
    qsizetype i = 0;
    for (int token = 0; i < chars.size(); ++token) {
        const uint ch = chars[i++];
        if (ch == U'*') {
            if (charAt(i) == U'*' && i < chars.size()) {
                ++i;
                if (i < chars.size() && chars[i] == U'/')
                    ++i;
                if (i >= chars.size()) {
                    if (kind == Kind::Exact) {
                        kind = Kind::Prefix;
                    } else {
                        re += QStringLiteral(".*");
                        kind = Kind::Regexp;
                    }
                } else {
                    re += QStringLiteral("(.*/)?");
                    kind = Kind::Regexp;
                }
                if (token == 0)
                    kind = Kind::Suffix;
            } else {
                re += QStringLiteral("[^/]*");
                kind = Kind::Regexp;
            }
        } else if (ch == U'?') {
            re += QStringLiteral("[^/]");
            kind = Kind::Regexp;
        } else if (ch < 0x80 && QStringLiteral(".+()|{}$").contains(QChar(ch))) {
            re += u'\\' + QString(QChar(ch));
        } else if (ch == U'\\') {
            if (i < chars.size()) {
                re += u'\\' + QString::fromUcs4(reinterpret_cast<const char32_t *>(&chars[i]), 1);
                ++i;
                kind = Kind::Regexp;
            } else {
                re += QStringLiteral("\\\\");
            }
        } else if (ch == U'[' || ch == U']') {
            re += QChar(ch);
            kind = Kind::Regexp;
        } else {
            re += QString::fromUcs4(reinterpret_cast<const char32_t *>(&ch), 1);
        }
    }
    result.m_kind = kind;
    if (kind == Kind::Regexp) {
        // \z, not $: Go's $ never matches before a trailing newline.
        re += QStringLiteral("\\z");
        result.m_regexp = QRegularExpression(re);
        if (!result.m_regexp.isValid())
            return fail(QStringLiteral("syntax error in .dockerignore pattern \"%1\": %2")
                            .arg(text.trimmed(), result.m_regexp.errorString()));
    }
    return result;
}

bool IgnorePattern::matchesExactly(const QString &path) const
{
    switch (m_kind) {
    case Kind::Exact: return path == m_cleaned;
    case Kind::Prefix: return path.startsWith(m_cleaned.chopped(2));
    case Kind::Suffix: {
        const QString suffix = m_cleaned.mid(2);
        if (path.endsWith(suffix))
            return true;
        // "**/foo" also matches "foo" itself.
        return suffix.startsWith(u'/') && path == suffix.mid(1);
    }
    case Kind::Regexp: return m_regexp.match(path).hasMatch();
    }
    return false;
}

bool IgnorePattern::matches(const QString &path) const
{
    if (matchesExactly(path))
        return true;
    const QString parent = GoPath::dir(path);
    if (parent == u".")
        return false;
    const QStringList parts = parent.split(u'/');
    QString prefix;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        prefix = i == 0 ? parts[0] : prefix + u'/' + parts[i];
        if (matchesExactly(prefix))
            return true;
    }
    return false;
}

} // namespace stagecraft
