//! glibc's allocator set for a run that makes many documents in a few hundred
//! milliseconds (on glibc Linux; elsewhere nothing changes).
//!
//! By default glibc hands memory back to the kernel as soon as the top of a heap has more
//! than 128 KiB free, and takes it again a moment later: a 59-flyer batch made ~100
//! `madvise` and ~480 `mprotect` calls on its worker threads' heaps and faulted the same
//! pages in again and again; and it serves each block of 128 KiB or more (a page's content,
//! a PDF being packed) with its own `mmap`, whose pages are fresh each time. Set here:
//! memory freed stays with the process until it exits (its peak is unchanged: the whole
//! kit peaked at 33.2 MiB either way), the main heap grows 16 MiB at a time (address
//! space, not memory: pages are only used when written), and blocks under 32 MiB come
//! from the heaps. 59 flyers: 0.95× CPU and wall; one flyer 0.98×; the whole kit 1.00×.

/// Tunes the allocator for a build (`broadside build`); not for `serve` or `watch`, which
/// run for hours, render previews on many threads and should hand memory back.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // glibc's `mallopt` parameters (malloc.h).
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_TOP_PAD: i32 = -2;
        const M_MMAP_THRESHOLD: i32 = -3;
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        for (param, value) in [
            (M_TRIM_THRESHOLD, 256 << 20),
            (M_TOP_PAD, 16 << 20),
            (M_MMAP_THRESHOLD, 32 << 20),
        ] {
            // SAFETY: `mallopt` only sets the allocator's parameters; glibc takes it at
            // any time, and refuses (returns 0 for) a value out of its range.
            unsafe {
                mallopt(param, value);
            }
        }
    }
}
