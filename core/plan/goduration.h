// Go's time.Duration in text, both ways: HEALTHCHECK flags are read with Go's
// time.ParseDuration and BuildKit writes them back in history with Duration.String().
#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace stagecraft {

class GoDuration
{
public:
    // time.ParseDuration: "300ms", "-1.5h", "2h45m", "0". On failure returns nullopt and,
    // when asked, Go's own message (`time: unknown unit "d" in duration "1d"`).
    static std::optional<qint64> parse(QStringView text, QString *error = nullptr);

    // Duration.String(): "1m30s", "500ms", "0s".
    static QString format(qint64 nanoseconds);
};

} // namespace stagecraft
