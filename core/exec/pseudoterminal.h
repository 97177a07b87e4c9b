// A pseudo-terminal for `run -t`: the sandbox's command gets the slave side as its
// stdin, stdout, stderr and controlling terminal; the caller relays the master side to
// the user's terminal, which it puts in raw mode meanwhile so that keys (Ctrl-C, arrows)
// reach the program as typed, and whose window size the pty follows (SIGWINCH).
#pragma once

#include "core/common/error.h"
#include "core/fs/filedescriptor.h"

#include <atomic>
#include <thread>

#include <signal.h>
#include <termios.h>

namespace stagecraft {

class PseudoTerminal
{
public:
    PseudoTerminal() = default;
    PseudoTerminal(const PseudoTerminal &) = delete;
    PseudoTerminal &operator=(const PseudoTerminal &) = delete;
    ~PseudoTerminal(); // stops relaying and restores the user's terminal

    // A new pty with the window size of `userTerminal` when that is a terminal.
    static Expected<std::unique_ptr<PseudoTerminal>> open(int userTerminal);
    // A pty whose output goes to a log file (`run -t -d`): "\n" line ends, as a log has.
    static Expected<std::unique_ptr<PseudoTerminal>> openForLog();

    int slaveFd() const { return m_slave.get(); }
    // For a caller that relays itself (the window's terminal panel reads it when it is
    // readable); the slave stays open here, so the master never hangs up early.
    int masterFd() const { return m_master.get(); }

    // Relays the program's output to `output` and, with `forwardInput`, `input` to the
    // program, on a thread until stop(); `input` is in raw mode meanwhile when it is a
    // terminal (the pty does the line discipline, as the user's terminal would), and its
    // window size is passed on whenever it changes (SIGWINCH; one relay at a time may
    // follow it).
    void startRelay(int input, int output, bool forwardInput);
    void stop();

private:
    void copyWindowSize(int from) const;

    FileDescriptor m_master;
    FileDescriptor m_slave;
    int m_input = -1;
    bool m_restore = false;
    termios m_saved{};
    // SIGWINCH writes to m_windowChanged's other end, which the relay polls.
    FileDescriptor m_windowChanged;
    FileDescriptor m_windowChangedWrite;
    bool m_followsWindow = false;
    struct sigaction m_savedWinch
    {
    };
    std::atomic<bool> m_stop{false};
    std::thread m_relay;
};

} // namespace stagecraft
