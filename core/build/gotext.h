// Values printed and parsed the way Go does, because BuildKit (written in Go) writes
// image history texts with Go's %q, slices and time.Duration, and HEALTHCHECK takes Go
// durations.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

// Go's %q of a string.
QString goQuote(const QString &s);
// A []string printed with %q: ["a" "b"].
QString goQuoteList(const QStringList &list);
// A []string printed with %v: [a b].
QString goList(const QStringList &list);
// Go's time.Duration.String() of `ns` nanoseconds: "1m30s", "500ms".
QString goDuration(qint64 ns);
// Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "0"; nothing when it is not one.
std::optional<qint64> parseGoDuration(const QString &text);
// Go's %q of a small integer (strconv.QuoteRune), as BuildKit prints HEALTHCHECK retries.
QString goQuoteRune(qint64 value);

} // namespace stagecraft
