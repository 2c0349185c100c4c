/*
 * Switches of the kqueue emulation (see sys/event.h next to this directory) that a test flips to
 * play a kernel other than FreeBSD where kernels differ. Not part of any real system's headers:
 * only tests built against the emulation include this.
 */
#ifndef MIOCPP_TESTS_KQUEUE_EMULATION_CONTROLS_H
#define MIOCPP_TESTS_KQUEUE_EMULATION_CONTROLS_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * EVFILT_PROC on a process that has exited but has not been reaped (a zombie): FreeBSD attaches
 * and reports the exit at once (the default, 0); macOS and OpenBSD refuse it with ESRCH (1).
 * Applies to the changes made after the call, in every queue.
 */
void kqemu_set_zombie_proc_esrch(int refuse);

#ifdef __cplusplus
}

/* kqemu_set_zombie_proc_esrch(1) for the scope of a C++ test, back to the default after it. */
class KqemuZombieIsEsrch {
 public:
  KqemuZombieIsEsrch() { kqemu_set_zombie_proc_esrch(1); }
  KqemuZombieIsEsrch(const KqemuZombieIsEsrch&) = delete;
  KqemuZombieIsEsrch& operator=(const KqemuZombieIsEsrch&) = delete;
  ~KqemuZombieIsEsrch() { kqemu_set_zombie_proc_esrch(0); }
};
#endif

#endif /* MIOCPP_TESTS_KQUEUE_EMULATION_CONTROLS_H */
