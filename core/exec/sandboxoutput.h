// A sandbox's output (stdout and stderr merged) cut into lines for a log sink, keeping
// the last few for the error message when the command fails.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>

namespace stagecraft {

class SandboxOutput
{
public:
    using Sink = std::function<void(const QString &line)>;

    SandboxOutput(Sink sink, int keptLines);

    void feed(const char *data, qsizetype size);
    // The last line when the output does not end with a newline.
    void finish();
    QStringList lastLines() const { return m_last; }

    // A line longer than this without a newline is passed on in pieces.
    static constexpr qsizetype maxLineBytes = 1 << 16;

private:
    void emitLine(QByteArray line);

    Sink m_sink;
    int m_keptLines;
    QByteArray m_pending;
    QStringList m_last;
};

} // namespace stagecraft
