// Values printed the way Go does, because BuildKit (written in Go) writes image history
// texts with Go's %q and slices (durations: core/plan/goduration.h).
#pragma once

#include <QString>
#include <QStringList>

namespace stagecraft {

// Go's %q of a string.
QString goQuote(const QString &s);
// A []string printed with %q: ["a" "b"].
QString goQuoteList(const QStringList &list);
// A []string printed with %v: [a b].
QString goList(const QStringList &list);
// Go's %q of a small integer (strconv.QuoteRune), as BuildKit prints HEALTHCHECK retries.
QString goQuoteRune(qint64 value);

} // namespace stagecraft
