#include "core/exec/seccompfilter.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

namespace stagecraft {

namespace {

// Refused whatever their arguments: Docker allows these only with CAP_SYS_ADMIN,
// CAP_SYS_MODULE, CAP_SYS_TIME, CAP_SYS_BOOT, … which a RUN does not get, or never.
constexpr const char *refused[] = {
    // namespaces and mounts
    "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr",
    // kernel keyrings (not namespaced)
    "keyctl", "add_key", "request_key",
    // BPF, tracing and performance counters of the kernel
    "bpf", "perf_event_open", "lookup_dcookie", "userfaultfd",
    // modules and kexec
    "init_module", "finit_module", "delete_module", "create_module", "get_kernel_syms", "query_module",
    "kexec_load", "kexec_file_load",
    // the clock
    "clock_settime", "clock_settime64", "settimeofday", "adjtimex", "clock_adjtime", "clock_adjtime64",
    "stime",
    // the machine
    "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "nfsservctl", "syslog", "vhangup",
    "iopl", "ioperm", "vm86", "vm86old", "uselib", "ustat", "sysfs", "_sysctl", "open_by_handle_at",
    "name_to_handle_at", "fanotify_init", "sethostname", "setdomainname"};

class Context
{
public:
    Context()
        : m_ctx(::seccomp_init(SCMP_ACT_ALLOW))
    {}
    ~Context()
    {
        if (m_ctx)
            ::seccomp_release(m_ctx);
    }
    Context(const Context &) = delete;
    Context &operator=(const Context &) = delete;
    scmp_filter_ctx get() const { return m_ctx; }

private:
    scmp_filter_ctx m_ctx;
};

Expected<void> build(scmp_filter_ctx ctx)
{
    // 32-bit system calls of the same machine go through the same filter; an architecture
    // the kernel does not run is simply absent.
#if defined(__x86_64__)
    ::seccomp_arch_add(ctx, SCMP_ARCH_X86);
    ::seccomp_arch_add(ctx, SCMP_ARCH_X32);
#elif defined(__aarch64__)
    ::seccomp_arch_add(ctx, SCMP_ARCH_ARM);
#endif
    for (const char *name : refused) {
        const int nr = ::seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
            continue; // not a call of this architecture
        if (const int rc = ::seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0); rc < 0 && rc != -EEXIST)
            return fail(QStringLiteral("seccomp rule for %1: %2")
                            .arg(QLatin1String(name), QString::fromLocal8Bit(strerror(-rc))));
    }
    // Any one namespace flag is refused: one rule per flag, since MASKED_EQ compares all
    // the masked bits. The flags are clone's first argument on every architecture but s390.
    // clone making a namespace of any kind is refused (Docker's CLONE_NEWNS|NEWCGROUP|
    // NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET mask); threads and fork are not.
    for (const scmp_datum_t flag :
         {scmp_datum_t(CLONE_NEWNS), scmp_datum_t(CLONE_NEWCGROUP), scmp_datum_t(CLONE_NEWUTS),
          scmp_datum_t(CLONE_NEWIPC), scmp_datum_t(CLONE_NEWUSER), scmp_datum_t(CLONE_NEWPID),
          scmp_datum_t(CLONE_NEWNET)}) {
        // SCMP_A0() is a C compound literal; the same comparison spelled out for C++.
        scmp_arg_cmp masked{};
        masked.arg = 0;
        masked.op = SCMP_CMP_MASKED_EQ;
        masked.datum_a = flag;
        masked.datum_b = flag;
        const int rc = ::seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, masked);
        if (rc < 0 && rc != -EEXIST)
            return fail(
                QStringLiteral("seccomp rule for clone: %1").arg(QString::fromLocal8Bit(strerror(-rc))));
    }
    // clone3 passes its flags in memory a filter cannot read: Docker answers ENOSYS so
    // that the C library falls back to clone, which the rules above inspect.
    const int clone3 = ::seccomp_syscall_resolve_name("clone3");
    if (clone3 != __NR_SCMP_ERROR)
        if (const int rc = ::seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), clone3, 0); rc < 0)
            return fail(
                QStringLiteral("seccomp rule for clone3: %1").arg(QString::fromLocal8Bit(strerror(-rc))));
    return {};
}

} // namespace

Expected<FileDescriptor> SeccompFilter::program()
{
    Context ctx;
    if (!ctx.get())
        return fail(QStringLiteral("libseccomp could not start a filter"));
    if (auto built = build(ctx.get()); !built)
        return std::unexpected(built.error());
    FileDescriptor fd(::memfd_create("stagecraft-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!fd.isValid())
        return fail(QStringLiteral("memfd_create: %1").arg(QString::fromLocal8Bit(strerror(errno))));
    if (const int rc = ::seccomp_export_bpf(ctx.get(), fd.get()); rc < 0)
        return fail(QStringLiteral("seccomp_export_bpf: %1").arg(QString::fromLocal8Bit(strerror(-rc))));
    ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    if (::lseek(fd.get(), 0, SEEK_SET) != 0)
        return fail(QStringLiteral("lseek: %1").arg(QString::fromLocal8Bit(strerror(errno))));
    return fd;
}

QStringList SeccompFilter::refusedCalls()
{
    QStringList names;
    for (const char *name : refused)
        if (::seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR)
            names.append(QLatin1String(name));
    names.append(QStringLiteral("clone (with a namespace flag)"));
    names.append(QStringLiteral("clone3 (ENOSYS)"));
    return names;
}

} // namespace stagecraft
