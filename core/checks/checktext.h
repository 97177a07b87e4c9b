// Small tests and spellings of words that several build-check rules share: casing, Go's %q
// quoting, secret-looking names and absolute paths.
#pragma once

#include <QString>

namespace stagecraft::checktext {

inline bool isLower(const QString &s)
{
    return s == s.toLower();
}

inline bool isUpper(const QString &s)
{
    return s == s.toUpper();
}

// Go's %q for the simple strings rule messages quote.
QString quoted(const QString &s);

// A name BuildKit's SecretsUsedInArgOrEnv takes for a secret (`API_TOKEN`, not `PUBLIC_KEY`).
bool isSecretKey(const QString &key);

// The stage's OS is unknown without its image, so Windows forms (C:\go, \app) count as
// absolute as well as /app.
bool isAbsolutePath(const QString &path);

} // namespace stagecraft::checktext
