// A flag a long-running core call polls so the GUI or Ctrl-C can stop it; cheap to copy,
// all copies share one state.
#pragma once

#include <atomic>
#include <memory>

namespace stagecraft {

class CancellationToken
{
public:
    CancellationToken()
        : m_flag(std::make_shared<std::atomic_bool>(false))
    {}
    void cancel() const { m_flag->store(true); }
    bool isCancelled() const { return m_flag->load(); }

private:
    std::shared_ptr<std::atomic_bool> m_flag;
};

} // namespace stagecraft
