// Turns the per-blob progress of a pull or push into text for a terminal: one bar
// redrawn in place on a TTY, and on a pipe or log one plain line per finished blob.
#pragma once

#include "core/registry/registryprogress.h"

#include <QString>

#include <functional>

namespace stagecraft {

class RegistryProgressPrinter
{
public:
    RegistryProgressPrinter(bool terminal, std::function<void(const QString &)> write);
    void report(const RegistryProgress &progress);
    // Ends a bar line left open (before printing anything else).
    void finish();

private:
    static QString bar(qint64 done, qint64 total);

    bool m_terminal;
    std::function<void(const QString &)> m_write;
    Digest m_current;
    RegistryProgress::Phase m_direction = RegistryProgress::Phase::Downloading;
    int m_lastPermille = -1;
    bool m_lineOpen = false;
};

} // namespace stagecraft
