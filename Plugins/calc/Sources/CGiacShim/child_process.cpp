// Runs one Giac evaluation in a forked child process, so that a runaway computation can be killed
// without harming the plugin, a crash or out-of-memory ends only the child, and nothing Giac does can
// reach the plugin's stdout (the MCP channel), the file system, the network or other programs.
//
// Pipe format, child -> parent (little-endian, native):
//   1. status  : 1 byte (loom_giac_status)
//   2. special : 1 byte (0 plain, 1 unsigned infinity, 2 undef, 3 signed infinity)
//   3. exact   : uint64 length, then that many bytes
//   4. decimal : uint64 length, then that many bytes (0 = none)
#include "giac_shim.h"
#include "giac_shim_internal.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <mutex>
#include <poll.h>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

#if defined(__x86_64__)
constexpr uint32_t audit_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t audit_arch = AUDIT_ARCH_AARCH64;
#else
#error "calc: add the seccomp audit architecture for this CPU"
#endif

/// Address space the child may add on top of what it inherits (bytes).
constexpr rlim_t extra_address_space = rlim_t(1) << 30;

/// Installs a seccomp filter that makes process creation, program execution, opening or changing
/// files, and sockets fail with EPERM. Giac's secure mode already refuses most of these; this holds
/// even where it does not (Giac's `read` is not covered by its secure mode).
bool install_syscall_filter() {
    const long denied[] = {
        SYS_execve, SYS_execveat, SYS_clone, SYS_clone3, SYS_openat, SYS_openat2,
        SYS_unlinkat, SYS_renameat, SYS_renameat2, SYS_mkdirat, SYS_linkat, SYS_symlinkat,
        SYS_fchmodat, SYS_fchownat, SYS_truncate, SYS_socket, SYS_socketpair, SYS_connect, SYS_bind,
        SYS_ptrace, SYS_process_vm_writev,
#ifdef SYS_fork
        SYS_fork, SYS_vfork, SYS_open, SYS_creat, SYS_unlink, SYS_rename, SYS_mkdir, SYS_rmdir,
        SYS_link, SYS_symlink, SYS_chmod, SYS_chown,
#endif
    };
    std::vector<sock_filter> program;
    program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
    program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit_arch, 1, 0));
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
    program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
#if defined(__x86_64__)
    // x32 system calls (bit 30 set) would bypass the numbers below.
    program.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1));
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
#endif
    for (long number : denied) {
        program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(number), 0, 1));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
    }
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    sock_fprog filter{static_cast<unsigned short>(program.size()), program.data()};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) == 0;
}

void write_all(int fd, const void *data, size_t size) {
    const char *bytes = static_cast<const char *>(data);
    while (size > 0) {
        ssize_t n = write(fd, bytes, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        bytes += n;
        size -= static_cast<size_t>(n);
    }
}

void write_text(int fd, const std::string &text) {
    uint64_t length = text.size();
    write_all(fd, &length, sizeof length);
    write_all(fd, text.data(), text.size());
}

/// The child: isolate, evaluate, write the result to `fd`, exit without running atexit handlers.
[[noreturn]] void run_child(const char *expression, int fd, int time_limit_ms) {
    // stdout is the MCP channel: everything the child prints goes to stderr instead.
    dup2(STDERR_FILENO, STDOUT_FILENO);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) dup2(null, STDIN_FILENO);
    // Keep only stdin/stdout/stderr and the result pipe (moved to fd 3).
    if (fd != 3) {
        dup2(fd, 3);
        fd = 3;
    }
    if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0) {
        for (int other = 4; other < 1024; other++) close(other);
    }
    rlimit cpu{};
    cpu.rlim_cur = static_cast<rlim_t>(time_limit_ms / 1000 + 2);
    cpu.rlim_max = cpu.rlim_cur + 1;
    setrlimit(RLIMIT_CPU, &cpu);
    long pages = 0;
    if (FILE *statm = fopen("/proc/self/statm", "r")) {
        if (fscanf(statm, "%ld", &pages) != 1) pages = 0;
        fclose(statm);
    }
    rlimit memory{};
    if (pages > 0 && getrlimit(RLIMIT_AS, &memory) == 0) {
        rlim_t wanted = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + extra_address_space;
        if (memory.rlim_cur == RLIM_INFINITY || memory.rlim_cur > wanted) {
            memory.rlim_cur = wanted;
            setrlimit(RLIMIT_AS, &memory);
        }
    }
    if (!install_syscall_filter()) {
        loom::Evaluation refused;
        refused.status = LOOM_GIAC_INTERNAL;
        refused.exact = "could not install the system-call filter";
        unsigned char header[2] = {static_cast<unsigned char>(refused.status), 0};
        write_all(fd, header, 2);
        write_text(fd, refused.exact);
        write_text(fd, "");
        _exit(0);
    }
    loom::Evaluation evaluation = loom::evaluate(expression);
    unsigned char header[2] = {static_cast<unsigned char>(evaluation.status),
                               static_cast<unsigned char>(evaluation.special)};
    write_all(fd, header, 2);
    write_text(fd, evaluation.exact);
    write_text(fd, evaluation.decimal);
    _exit(0);
}

/// Reads one length-prefixed text at `offset`; false when the bytes run out.
bool read_text(const std::string &data, size_t &offset, std::string &text) {
    uint64_t length = 0;
    if (data.size() < offset + sizeof length) return false;
    std::memcpy(&length, data.data() + offset, sizeof length);
    offset += sizeof length;
    if (data.size() - offset < length) return false;
    text.assign(data, offset, static_cast<size_t>(length));
    offset += static_cast<size_t>(length);
    return true;
}

void fill(loom_giac_outcome *outcome, loom_giac_status status, const std::string &exact,
          const std::string &decimal = "", int special = 0) {
    outcome->status = status;
    outcome->exact = loom::copy_string(exact);
    outcome->decimal = decimal.empty() ? nullptr : loom::copy_string(decimal);
    outcome->special = special;
}

} // namespace

extern "C" void loom_giac_run(const char *expression, int time_limit_ms, long max_result_bytes,
                              loom_giac_outcome *outcome) {
    loom_giac_prepare();
    static std::mutex lock;
    std::lock_guard<std::mutex> guard(lock);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        fill(outcome, LOOM_GIAC_INTERNAL, std::string("pipe failed: ") + std::strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int error = errno;
        close(fds[0]);
        close(fds[1]);
        fill(outcome, LOOM_GIAC_INTERNAL, std::string("fork failed: ") + std::strerror(error));
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        run_child(expression, fds[1], time_limit_ms);
    }
    close(fds[1]);

    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::milliseconds(time_limit_ms);
    std::string data;
    bool timed_out = false;
    bool too_large = false;
    char buffer[65536];
    for (;;) {
        auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (remaining <= 0) {
            timed_out = true;
            break;
        }
        pollfd waiting{fds[0], POLLIN, 0};
        int ready = poll(&waiting, 1, static_cast<int>(std::min<long long>(remaining, 1000)));
        if (ready < 0 && errno != EINTR) break;
        if (ready <= 0) continue;
        ssize_t n = read(fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        data.append(buffer, static_cast<size_t>(n));
        if (static_cast<long>(data.size()) > max_result_bytes) {
            too_large = true;
            break;
        }
    }
    close(fds[0]);
    if (timed_out || too_large) kill(pid, SIGKILL);
    int wait_status = 0;
    while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {}

    if (timed_out) return fill(outcome, LOOM_GIAC_TIMEOUT, "time limit reached");
    if (too_large) return fill(outcome, LOOM_GIAC_TOO_LARGE, "result larger than the transfer limit");
    if (WIFSIGNALED(wait_status)) {
        int signal = WTERMSIG(wait_status);
        if (signal == SIGXCPU) return fill(outcome, LOOM_GIAC_TIMEOUT, "CPU time limit reached");
        return fill(outcome, LOOM_GIAC_CRASHED, std::string("the evaluation was ended by signal ") +
                                                    std::to_string(signal) + " (" + strsignal(signal) + ")");
    }
    size_t offset = 2;
    std::string exact, decimal;
    if (data.size() < 2 || !read_text(data, offset, exact) || !read_text(data, offset, decimal)) {
        return fill(outcome, LOOM_GIAC_CRASHED, "the evaluation ended without a result (probably out of memory)");
    }
    fill(outcome, static_cast<loom_giac_status>(static_cast<unsigned char>(data[0])), exact, decimal,
         static_cast<unsigned char>(data[1]));
}
