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
    winsize size{};
    if (userTerminal >= 0 && ::ioctl(userTerminal, TIOCGWINSZ, &size) == 0)
        ::ioctl(pty->m_slave.get(), TIOCSWINSZ, &size);
    return pty;
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
    const int master = m_master.get();
    m_relay = std::thread([this, input, output, master] {
        char buffer[8192];
        bool inputOpen = input >= 0;
        for (;;) {
            pollfd fds[2] = {{master, POLLIN, 0}, {input, POLLIN, 0}};
            const int ready = ::poll(fds, inputOpen ? 2 : 1, 50);
            if (ready < 0 && errno != EINTR)
                break;
            bool readSomething = false;
            if (ready > 0 && (fds[0].revents & POLLIN)) {
                const ssize_t n = ::read(master, buffer, sizeof(buffer));
                if (n > 0) {
                    readSomething = true;
                    writeAll(output, buffer, n);
                }
            }
            if (ready > 0 && inputOpen && (fds[1].revents & (POLLIN | POLLHUP))) {
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
    if (m_restore) {
        ::tcsetattr(m_input, TCSANOW, &m_saved);
        m_restore = false;
    }
}

} // namespace stagecraft
