// Counting the heap allocations a test thread makes, for the tests of the performance contract
// ("allocates nothing"). Include it in exactly one translation unit of a test program: it defines
// the program's global operator new/delete and, with glibc, its malloc family.
//
// A thread counts while a test::AllocationWindow of its own is open:
// - normally by replacing the global operator new/delete (every overload) and, with glibc,
//   malloc/calloc/realloc (glibc supports that and exports its own as __libc_*);
// - under ASan/TSan, whose runtimes own the allocator (TSan's operator new cannot be replaced), by
//   the sanitizer allocator's malloc hook, which sees operator new and malloc alike.
// Elsewhere (WASI, Windows) malloc is not counted: test::counts_malloc says whether it is. Where
// malloc is replaced, a test::FailingAllocations makes this thread's malloc family fail, to test
// what a library does when memory runs out.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <new>

#include <miocpp/config.hpp>

#if MIOCPP_OS_WINDOWS
#include <malloc.h>  // _aligned_malloc
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MIOCPP_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define MIOCPP_TEST_SANITIZED 1
#else
#define MIOCPP_TEST_SANITIZED 0
#endif
#else
#define MIOCPP_TEST_SANITIZED 0
#endif

#if !MIOCPP_TEST_SANITIZED && defined(__GLIBC__)
#define MIOCPP_TEST_REPLACE_MALLOC 1
#else
#define MIOCPP_TEST_REPLACE_MALLOC 0
#endif

namespace test {

// Both per thread: a window counts only what its own thread allocates, and touching them never
// allocates (constant-initialized thread_local variables of the executable itself).
inline thread_local std::size_t allocation_count = 0;
inline thread_local bool counting = false;
inline thread_local bool failing = false;

inline void note_allocation() noexcept {
  if (counting) {
    ++allocation_count;
  }
}

/// Compilers assume that malloc and friends touch no memory of the program, so without this
/// they may keep the counter in a register across the allocations it is meant to see.
inline void compiler_barrier() noexcept {
  __asm__ __volatile__("" ::: "memory");
}

/// Counts the allocations made on this thread while it exists. Windows do not nest.
class AllocationWindow {
 public:
  AllocationWindow() noexcept : start_(allocation_count) {
    counting = true;
    compiler_barrier();
  }
  AllocationWindow(const AllocationWindow&) = delete;
  AllocationWindow& operator=(const AllocationWindow&) = delete;
  ~AllocationWindow() {
    compiler_barrier();
    counting = false;
  }

  [[nodiscard]] std::size_t count() const noexcept {
    compiler_barrier();
    return allocation_count - start_;
  }

 private:
  std::size_t start_;
};

/// Whether a window sees malloc, calloc and realloc too (or operator new only).
inline constexpr bool counts_malloc = MIOCPP_TEST_SANITIZED || MIOCPP_TEST_REPLACE_MALLOC;

/// Whether this program can make malloc fail on purpose (FailingAllocations).
inline constexpr bool can_fail_malloc = MIOCPP_TEST_REPLACE_MALLOC;

/// While it exists, this thread's malloc, calloc and realloc return null with errno ENOMEM, as
/// they do when memory runs out (only where can_fail_malloc: elsewhere it changes nothing).
class FailingAllocations {
 public:
  FailingAllocations() noexcept {
    failing = true;
    compiler_barrier();
  }
  FailingAllocations(const FailingAllocations&) = delete;
  FailingAllocations& operator=(const FailingAllocations&) = delete;
  ~FailingAllocations() {
    compiler_barrier();
    failing = false;
  }
};

}  // namespace test

#if MIOCPP_TEST_SANITIZED

// ---- Sanitizer builds: the allocator's hook ----------------------------------------------------

extern "C" int __sanitizer_install_malloc_and_free_hooks(  // NOLINT(bugprone-reserved-identifier)
    void (*malloc_hook)(const volatile void*, std::size_t),
    void (*free_hook)(const volatile void*));

namespace test {

inline void on_malloc(const volatile void* /*pointer*/, std::size_t /*size*/) {
  note_allocation();
}
inline void on_free(const volatile void* /*pointer*/) {}

// Installed before main, while only this thread exists (as the interface requires).
inline const bool allocation_hooks_installed =
    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;

}  // namespace test

#else

// ---- Other builds: replacement malloc and operator new/delete -----------------------------------

#if MIOCPP_TEST_REPLACE_MALLOC
extern "C" {
void* __libc_malloc(std::size_t size);                     // NOLINT(bugprone-reserved-identifier)
void* __libc_calloc(std::size_t count, std::size_t size);  // NOLINT(bugprone-reserved-identifier)
void* __libc_realloc(void* pointer, std::size_t size);     // NOLINT(bugprone-reserved-identifier)
void __libc_free(void* pointer);                           // NOLINT(bugprone-reserved-identifier)

void* malloc(std::size_t size) {
  if (test::failing) {
    errno = ENOMEM;
    return nullptr;
  }
  test::note_allocation();
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) {
  if (test::failing) {
    errno = ENOMEM;
    return nullptr;
  }
  test::note_allocation();
  return __libc_calloc(count, size);
}
void* realloc(void* pointer, std::size_t size) {
  if (test::failing) {
    errno = ENOMEM;
    return nullptr;
  }
  test::note_allocation();
  return __libc_realloc(pointer, size);
}
void free(void* pointer) {
  __libc_free(pointer);
}
}
#endif

namespace test {
inline const bool allocation_hooks_installed = true;
}  // namespace test

namespace test::allocation_detail {

[[noreturn]] inline void out_of_memory() {
#if MIOCPP_HAS_EXCEPTIONS
  throw std::bad_alloc();
#else
  std::abort();
#endif
}

/// The allocator under operator new, itself uncounted: each new counts once.
inline void* raw_allocate(std::size_t size) noexcept {
#if MIOCPP_TEST_REPLACE_MALLOC
  return __libc_malloc(size);
#else
  return std::malloc(size);  // NOLINT(*-no-malloc)
#endif
}

inline void* allocate(std::size_t size) noexcept {
  note_allocation();
  return raw_allocate(size == 0 ? 1 : size);
}

inline void* allocate_aligned(std::size_t size, std::align_val_t alignment) noexcept {
  note_allocation();
  const auto align = static_cast<std::size_t>(alignment);
  // aligned_alloc wants a size that is a multiple of the alignment.
  const std::size_t rounded = (size == 0 ? align : (size + align - 1) / align * align);
#if MIOCPP_OS_WINDOWS
  // The Windows C runtime has no aligned_alloc; its own aligned blocks need _aligned_free.
  return ::_aligned_malloc(rounded, align);
#else
  return std::aligned_alloc(align, rounded);
#endif
}

inline void* allocate_or_fail(std::size_t size) {
  void* pointer = allocate(size);
  if (pointer == nullptr) {
    out_of_memory();
  }
  return pointer;
}

inline void* allocate_aligned_or_fail(std::size_t size, std::align_val_t alignment) {
  void* pointer = allocate_aligned(size, alignment);
  if (pointer == nullptr) {
    out_of_memory();
  }
  return pointer;
}

inline void release(void* pointer) noexcept {
  std::free(pointer);
}  // NOLINT(*-no-malloc)

inline void release_aligned(void* pointer) noexcept {
#if MIOCPP_OS_WINDOWS
  ::_aligned_free(pointer);
#else
  std::free(pointer);  // NOLINT(*-no-malloc)
#endif
}

}  // namespace test::allocation_detail

// NOLINTBEGIN(misc-new-delete-overloads,cert-dcl54-cpp,hicpp-new-delete-operators)
void* operator new(std::size_t size) {
  return test::allocation_detail::allocate_or_fail(size);
}
void* operator new[](std::size_t size) {
  return test::allocation_detail::allocate_or_fail(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return test::allocation_detail::allocate(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return test::allocation_detail::allocate(size);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return test::allocation_detail::allocate_aligned_or_fail(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return test::allocation_detail::allocate_aligned_or_fail(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return test::allocation_detail::allocate_aligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return test::allocation_detail::allocate_aligned(size, alignment);
}

void operator delete(void* pointer) noexcept {
  test::allocation_detail::release(pointer);
}
void operator delete[](void* pointer) noexcept {
  test::allocation_detail::release(pointer);
}
void operator delete(void* pointer, std::size_t) noexcept {
  test::allocation_detail::release(pointer);
}
void operator delete[](void* pointer, std::size_t) noexcept {
  test::allocation_detail::release(pointer);
}
void operator delete(void* pointer, const std::nothrow_t&) noexcept {
  test::allocation_detail::release(pointer);
}
void operator delete[](void* pointer, const std::nothrow_t&) noexcept {
  test::allocation_detail::release(pointer);
}
void operator delete(void* pointer, std::align_val_t) noexcept {
  test::allocation_detail::release_aligned(pointer);
}
void operator delete[](void* pointer, std::align_val_t) noexcept {
  test::allocation_detail::release_aligned(pointer);
}
void operator delete(void* pointer, std::size_t, std::align_val_t) noexcept {
  test::allocation_detail::release_aligned(pointer);
}
void operator delete[](void* pointer, std::size_t, std::align_val_t) noexcept {
  test::allocation_detail::release_aligned(pointer);
}
void operator delete(void* pointer, std::align_val_t, const std::nothrow_t&) noexcept {
  test::allocation_detail::release_aligned(pointer);
}
void operator delete[](void* pointer, std::align_val_t, const std::nothrow_t&) noexcept {
  test::allocation_detail::release_aligned(pointer);
}
// NOLINTEND(misc-new-delete-overloads,cert-dcl54-cpp,hicpp-new-delete-operators)

#endif  // MIOCPP_TEST_SANITIZED
