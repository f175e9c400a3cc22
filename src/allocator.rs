//! The process's allocator (mimalloc, installed by `main.rs`) set to give memory back to the OS.
//!
//! An inventory of 100,000 resources is ~70 MB of small pieces, replaced whole at every refresh.
//! What matters is how much of the freed one stays resident (`benches/RESULTS.md`).

use std::os::raw::c_int;

/// `mi_option_arena_eager_commit` in mimalloc v3's `mi_option_e` (libmimalloc-sys names the v2
/// options only). The index depends on the C library the crate bundles, so `libmimalloc-sys` is
/// pinned exactly in the workspace manifest, and a test reads the option back.
const ARENA_EAGER_COMMIT: c_int = 4;

/// Commit arena memory as it is used rather than all at once (mimalloc's Linux default): the
/// console holding 100,000 resources measured 13 MiB less resident so (`benches/RESULTS.md`).
/// Must run before the first allocation reserves an arena: see
/// `configure_allocator_before_main!`.
pub fn configure() {
    // SAFETY: sets an integer option; no pointer is passed.
    unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) };
}

/// Declares an `.init_array` constructor that runs [`configure`] before `main` and before std's
/// start-up allocates: for the binary and the benchmark, which both install mimalloc.
#[macro_export]
macro_rules! configure_allocator_before_main {
    () => {
        #[cfg(target_os = "linux")]
        #[used]
        #[unsafe(link_section = ".init_array")]
        static CONFIGURE_ALLOCATOR: extern "C" fn() = {
            extern "C" fn configure() {
                $crate::allocator::configure();
            }
            configure
        };
    };
}

/// What mimalloc holds for the eager-commit option (0 once [`configure`] ran).
pub fn arena_eager_commit() -> std::os::raw::c_long {
    // SAFETY: reads an integer option; no pointer is passed.
    unsafe { libmimalloc_sys::mi_option_get(ARENA_EAGER_COMMIT) }
}

/// Gives the pages freed so far back to the OS now rather than after mimalloc's purge delay: run
/// once a refresh has dropped the pieces its inventory was built from, since an idle console
/// makes no allocator calls that would purge them later.
pub fn release_freed() {
    // SAFETY: a plain call into the allocator; no pointer is passed.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// Drops `x` and hands its pages back: for an inventory a refresh replaced, on a blocking-pool
/// thread (freeing 100,000 resources' pieces takes milliseconds the event loop should not spend).
pub fn free_now<T>(x: T) {
    drop(x);
    release_freed();
}

#[cfg(test)]
mod tests {
    /// The option is addressed by its index in the bundled C library's enum: if a new
    /// `libmimalloc-sys` renumbered it, this would set some other option. Setting a value and
    /// reading the same back through `mi_option_get` proves the index names a real option; its
    /// default, 2 (`MI_DEFAULT_ARENA_EAGER_COMMIT`: "eager only where the OS overcommits", a value
    /// no neighbouring option has), proves it is the one meant.
    #[test]
    fn the_eager_commit_option_reads_back() {
        // The unit-test binary does not run the `.init_array` constructor: the default shows first.
        let before = super::arena_eager_commit();
        assert_eq!(
            before, 2,
            "mimalloc v3's default for arena_eager_commit is 2"
        );
        super::configure();
        assert_eq!(super::arena_eager_commit(), 0);
    }
}
