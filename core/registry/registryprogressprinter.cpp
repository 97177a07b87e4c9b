#include "core/registry/registryprogressprinter.h"

namespace stagecraft {

namespace {

// Decimal units as Docker prints them ("512 B", "1.98 MB").
QString formatByteSize(qint64 bytes)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double value = double(bytes);
    int unit = 0;
    while (value >= 1000.0 && unit < 4) {
        value /= 1000.0;
        ++unit;
    }
    const QString number = unit == 0 ? QString::number(bytes) : QString::number(value, 'g', 3);
    return number + QLatin1Char(' ') + QLatin1String(units[unit]);
}

} // namespace

RegistryProgressPrinter::RegistryProgressPrinter(bool terminal, std::function<void(const QString &)> write)
    : m_terminal(terminal)
    , m_write(std::move(write))
{}

QString RegistryProgressPrinter::bar(qint64 done, qint64 total)
{
    constexpr int Width = 30;
    const int filled = total > 0 ? int(qBound(qint64(0), done * Width / total, qint64(Width))) : 0;
    return QLatin1Char('[') + QString(filled, QLatin1Char('=')) +
           (filled < Width ? QStringLiteral(">") + QString(Width - filled - 1, QLatin1Char(' '))
                           : QString()) +
           QLatin1Char(']');
}

void RegistryProgressPrinter::report(const RegistryProgress &p)
{
    const QString name = p.digest.algorithm() + QLatin1Char(':') + p.digest.shortHex();
    if (p.digest != m_current) {
        finish();
        m_current = p.digest;
        m_lastPermille = -1;
    }
    switch (p.phase) {
    case RegistryProgress::Phase::Present:
        finish();
        m_write(QStringLiteral("%1: already present (%2)\n").arg(name, formatByteSize(p.bytesTotal)));
        return;
    case RegistryProgress::Phase::Downloading:
    case RegistryProgress::Phase::Uploading: {
        m_direction = p.phase;
        if (!m_terminal)
            return;
        const int permille = p.bytesTotal > 0 ? int(p.bytesDone * 1000 / p.bytesTotal) : 0;
        if (permille == m_lastPermille)
            return;
        m_lastPermille = permille;
        const QString verb = p.phase == RegistryProgress::Phase::Downloading ? QStringLiteral("Downloading")
                                                                             : QStringLiteral("Uploading");
        m_write(QStringLiteral("\r%1: %2 %3 %4 / %5\x1b[K")
                    .arg(name, verb, bar(p.bytesDone, p.bytesTotal), formatByteSize(p.bytesDone),
                         formatByteSize(p.bytesTotal)));
        m_lineOpen = true;
        return;
    }
    case RegistryProgress::Phase::Done: {
        const QString verb = m_direction == RegistryProgress::Phase::Uploading ? QStringLiteral("pushed")
                                                                               : QStringLiteral("pulled");
        m_write(QStringLiteral("%1%2: %3 %4%5\n")
                    .arg(m_lineOpen ? QStringLiteral("\r") : QString(), name, verb,
                         formatByteSize(p.bytesTotal), m_lineOpen ? QStringLiteral("\x1b[K") : QString()));
        m_lineOpen = false;
        return;
    }
    }
}

void RegistryProgressPrinter::finish()
{
    if (m_lineOpen)
        m_write(QStringLiteral("\n"));
    m_lineOpen = false;
}

} // namespace stagecraft
