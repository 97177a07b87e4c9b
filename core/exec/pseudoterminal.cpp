#include "core/exec/pseudoterminal.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace stagecraft {

namespace {

bool writeAll(int fd, const char *data, ssize_t size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size_t(size));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= n;
    }
    return true;
}

// The write end of the relay's window-change pipe, for the signal handler.
std::atomic<int> g_windowChanged{-1};

void onWindowChange(int)
{
    const int saved = errno;
    if (const int fd = g_windowChanged.load(); fd >= 0) {
        const char changed = 1;
        [[maybe_unused]] const ssize_t n = ::write(fd, &changed, 1); // full pipe: a change is pending anyway
    }
    errno = saved;
}

} // namespace

PseudoTerminal::~PseudoTerminal()
{
    stop();
}

Expected<std::unique_ptr<PseudoTerminal>> PseudoTerminal::open(int userTerminal)
{
    auto pty = std::make_unique<PseudoTerminal>();
    pty->m_master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty->m_master.isValid() || ::grantpt(pty->m_master.get()) != 0 ||
        ::unlockpt(pty->m_master.get()) != 0)
        return fail(QStringLiteral("cannot create a pseudo-terminal: %1")
                        .arg(QString::fromLocal8Bit(strerror(errno))));
    char name[128];
    if (::ptsname_r(pty->m_master.get(), name, sizeof(name)) != 0)
        return fail(QStringLiteral("cannot name the pseudo-terminal"));
    pty->m_slave.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty->m_slave.isValid())
        return fail(QStringLiteral("cannot open %1: %2")
                        .arg(QString::fromLocal8Bit(name), QString::fromLocal8Bit(strerror(errno))));
    if (userTerminal >= 0)
        pty->copyWindowSize(userTerminal);
    return pty;
}

Expected<std::unique_ptr<PseudoTerminal>> PseudoTerminal::openForLog()
{
    Expected<std::unique_ptr<PseudoTerminal>> pty = open(-1);
    termios mode{};
    if (pty && ::tcgetattr((*pty)->slaveFd(), &mode) == 0) {
        mode.c_oflag &= ~tcflag_t(ONLCR);
        ::tcsetattr((*pty)->slaveFd(), TCSANOW, &mode);
    }
    return pty;
}

void PseudoTerminal::copyWindowSize(int from) const
{
    winsize size{};
    if (::ioctl(from, TIOCGWINSZ, &size) == 0)
        ::ioctl(m_master.get(), TIOCSWINSZ, &size);
}

void PseudoTerminal::startRelay(int terminal, int output, bool forwardInput)
{
    const int input = forwardInput ? terminal : -1;
    m_input = terminal;
    if (terminal >= 0 && ::isatty(terminal) && ::tcgetattr(terminal, &m_saved) == 0) {
        termios raw = m_saved;
        ::cfmakeraw(&raw);
        m_restore = ::tcsetattr(terminal, TCSANOW, &raw) == 0;
    }
    int windowPipe[2];
    if (terminal >= 0 && ::isatty(terminal) && g_windowChanged.load() < 0 &&
        ::pipe2(windowPipe, O_CLOEXEC | O_NONBLOCK) == 0) {
        m_windowChanged.reset(windowPipe[0]);
        m_windowChangedWrite.reset(windowPipe[1]);
        g_windowChanged = windowPipe[1];
        struct sigaction action
        {
        };
        action.sa_handler = onWindowChange;
        action.sa_flags = SA_RESTART;
        sigemptyset(&action.sa_mask);
        m_followsWindow = ::sigaction(SIGWINCH, &action, &m_savedWinch) == 0;
        // A change between open() and now would otherwise be missed.
        copyWindowSize(terminal);
    }
    const int master = m_master.get();
    const int windowChanged = m_followsWindow ? m_windowChanged.get() : -1;
    m_relay = std::thread([this, input, output, master, terminal, windowChanged] {
        char buffer[8192];
        bool inputOpen = input >= 0;
        for (;;) {
            // The window change first, so that keys typed after a resize find it done.
            pollfd fds[3] = {{windowChanged, POLLIN, 0}, {master, POLLIN, 0}, {input, POLLIN, 0}};
            const int ready = ::poll(fds, inputOpen ? 3 : 2, 50);
            if (ready < 0 && errno != EINTR)
                break;
            if (ready > 0 && (fds[0].revents & POLLIN)) {
                while (::read(windowChanged, buffer, sizeof(buffer)) > 0) {
                }
                copyWindowSize(terminal);
            }
            bool readSomething = false;
            if (ready > 0 && (fds[1].revents & POLLIN)) {
                const ssize_t n = ::read(master, buffer, sizeof(buffer));
                if (n > 0) {
                    readSomething = true;
                    writeAll(output, buffer, n);
                }
            }
            if (ready > 0 && inputOpen && (fds[2].revents & (POLLIN | POLLHUP))) {
                const ssize_t n = ::read(input, buffer, sizeof(buffer));
                if (n > 0)
                    writeAll(master, buffer, n);
                else
                    inputOpen = false;
            }
            // Stop only once the program's last output has been passed on.
            if (m_stop && !readSomething)
                break;
        }
    });
}

void PseudoTerminal::stop()
{
    m_stop = true;
    if (m_relay.joinable())
        m_relay.join();
    if (m_followsWindow) {
        ::sigaction(SIGWINCH, &m_savedWinch, nullptr);
        g_windowChanged = -1;
        m_windowChanged.reset();
        m_windowChangedWrite.reset();
        m_followsWindow = false;
    }
    if (m_restore) {
        ::tcsetattr(m_input, TCSANOW, &m_saved);
        m_restore = false;
    }
}

} // namespace stagecraft
