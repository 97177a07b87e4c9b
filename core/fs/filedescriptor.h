// An owned file descriptor, closed when it goes out of scope. Rooted file operations
// pass directories around as descriptors, never as path strings that would be
// resolved again (and could be swapped for a symlink in between).
#pragma once

#include <utility>

#include <unistd.h>

namespace stagecraft {

class FileDescriptor
{
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd)
        : m_fd(fd)
    {}
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;
    FileDescriptor(FileDescriptor &&other) noexcept
        : m_fd(std::exchange(other.m_fd, -1))
    {}
    FileDescriptor &operator=(FileDescriptor &&other) noexcept
    {
        reset(std::exchange(other.m_fd, -1));
        return *this;
    }
    ~FileDescriptor() { reset(); }

    int get() const { return m_fd; }
    bool isValid() const { return m_fd >= 0; }
    int release() { return std::exchange(m_fd, -1); }
    void reset(int fd = -1)
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }
    // A second descriptor of the same open file (close-on-exec).
    FileDescriptor duplicate() const;

private:
    int m_fd = -1;
};

} // namespace stagecraft
