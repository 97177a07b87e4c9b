// Reads the exec form of an instruction, a JSON array of strings, the way BuildKit's
// Go decoder does: one JSON value, whatever follows it is ignored.
#pragma once

#include <QList>
#include <QString>
#include <QStringView>

namespace stagecraft {

class JsonStringArray
{
public:
    enum class Status {
        Ok,
        NotJson,   // not an array or not valid JSON: the instruction is in shell form
        NotStrings // valid JSON, but an element is not a string: an error in BuildKit
    };

    struct Element
    {
        QString value;
        qsizetype begin = 0; // offsets of the quoted token in the text, end exclusive
        qsizetype end = 0;
    };

    struct Result
    {
        Status status = Status::NotJson;
        QList<Element> elements;
        qsizetype end = 0; // offset after the closing ']'
    };

    // Parses text starting at `from` (leading whitespace is skipped).
    static Result parse(QStringView text, qsizetype from = 0);
};

} // namespace stagecraft
