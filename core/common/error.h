// The error type of every fallible core call: an English message a person can act
// on, and for Dockerfiles the range to underline. Returned in std::expected, never thrown.
#pragma once

#include "core/common/sourcerange.h"

#include <QString>

#include <expected>
#include <utility>

namespace stagecraft {

struct Error
{
    QString message;
    SourceRange range; // invalid when the error is not about a place in a text

    Error() = default;
    explicit Error(QString msg, SourceRange r = {})
        : message(std::move(msg))
        , range(r)
    {}
};

template <typename T> using Expected = std::expected<T, Error>;

inline std::unexpected<Error> fail(QString message, SourceRange range = {})
{
    return std::unexpected<Error>(Error(std::move(message), range));
}

} // namespace stagecraft
