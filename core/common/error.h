// The error type of every fallible core call: an English message a person can act
// on, for Dockerfiles the range to underline, and a kind for the errors callers branch
// on (a cancelled build is not a failure to report). Returned in std::expected, never thrown.
#pragma once

#include "core/common/sourcerange.h"

#include <QString>

#include <expected>
#include <utility>

namespace stagecraft {

enum class ErrorKind {
    Failed,    // something went wrong: the message says what
    Cancelled, // the caller's cancellation token stopped the work
};

struct Error
{
    QString message;
    SourceRange range; // invalid when the error is not about a place in a text
    ErrorKind kind = ErrorKind::Failed;

    Error() = default;
    explicit Error(QString msg, SourceRange r = {})
        : message(std::move(msg))
        , range(r)
    {}

    bool isCancelled() const { return kind == ErrorKind::Cancelled; }
};

template <typename T> using Expected = std::expected<T, Error>;

inline std::unexpected<Error> fail(QString message, SourceRange range = {})
{
    return std::unexpected<Error>(Error(std::move(message), range));
}

// The error of work stopped by its cancellation token; the message is for logs only.
inline Error cancellation(QString message = QStringLiteral("cancelled"))
{
    Error error(std::move(message));
    error.kind = ErrorKind::Cancelled;
    return error;
}

inline std::unexpected<Error> failCancelled(QString message = QStringLiteral("cancelled"))
{
    return std::unexpected<Error>(cancellation(std::move(message)));
}

} // namespace stagecraft
