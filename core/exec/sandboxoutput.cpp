#include "core/exec/sandboxoutput.h"

#include <utility>

namespace stagecraft {

SandboxOutput::SandboxOutput(Sink sink, int keptLines)
    : m_sink(std::move(sink))
    , m_keptLines(keptLines)
{}

void SandboxOutput::feed(const char *data, qsizetype size)
{
    m_pending.append(data, size);
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = m_pending.indexOf('\n', start);
        if (nl < 0)
            break;
        emitLine(m_pending.mid(start, nl - start));
        start = nl + 1;
    }
    m_pending.remove(0, start);
    if (m_pending.size() > maxLineBytes) {
        emitLine(m_pending);
        m_pending.clear();
    }
}

void SandboxOutput::finish()
{
    if (!m_pending.isEmpty())
        emitLine(m_pending);
    m_pending.clear();
}

void SandboxOutput::emitLine(QByteArray line)
{
    if (line.endsWith('\r'))
        line.chop(1);
    const QString text = QString::fromUtf8(line);
    m_last.append(text);
    if (m_last.size() > m_keptLines)
        m_last.removeFirst();
    if (m_sink)
        m_sink(text);
}

} // namespace stagecraft
