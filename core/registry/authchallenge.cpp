#include "core/registry/authchallenge.h"

namespace stagecraft {

AuthChallenge AuthChallenge::parse(const QString &header)
{
    AuthChallenge challenge;
    qsizetype i = 0;
    const qsizetype n = header.size();
    const auto skipSpace = [&] {
        while (i < n && header.at(i).isSpace())
            ++i;
    };
    skipSpace();
    const qsizetype schemeStart = i;
    while (i < n && !header.at(i).isSpace() && header.at(i) != QLatin1Char(','))
        ++i;
    challenge.scheme = header.mid(schemeStart, i - schemeStart).toLower();
    // auth-params: name=token or name="quoted string", separated by commas. A name
    // followed by a space and no '=' starts the next challenge: stop there.
    while (i < n) {
        skipSpace();
        while (i < n && header.at(i) == QLatin1Char(','))
            ++i;
        skipSpace();
        const qsizetype nameStart = i;
        while (i < n && header.at(i) != QLatin1Char('=') && header.at(i) != QLatin1Char(',') &&
               !header.at(i).isSpace())
            ++i;
        const QString name = header.mid(nameStart, i - nameStart).toLower();
        skipSpace();
        if (name.isEmpty() || i >= n || header.at(i) != QLatin1Char('='))
            break;
        ++i;
        skipSpace();
        QString value;
        if (i < n && header.at(i) == QLatin1Char('"')) {
            ++i;
            while (i < n && header.at(i) != QLatin1Char('"')) {
                if (header.at(i) == QLatin1Char('\\') && i + 1 < n)
                    ++i;
                value += header.at(i);
                ++i;
            }
            ++i; // closing quote
        } else {
            const qsizetype valueStart = i;
            while (i < n && header.at(i) != QLatin1Char(',') && !header.at(i).isSpace())
                ++i;
            value = header.mid(valueStart, i - valueStart);
        }
        challenge.parameters.insert(name, value);
    }
    return challenge;
}

} // namespace stagecraft
