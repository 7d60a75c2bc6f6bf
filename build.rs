//! Links the `broadside` executable at a fixed address on Linux with glibc, instead of as
//! a position-independent executable (PIE), so the dynamic loader has nothing of ours to
//! relocate when it starts.
//!
//! Why: a PIE build of broadside carries ~52,600 relative relocations (every pointer in
//! its read-only tables: the fonts' and hyphenation patterns' indexes, vtables, string
//! tables). The loader rewrites each at every start, and writing them copies ~200 pages
//! of `.data.rel.ro` — page faults before `main` runs. One flyer is a ~12 ms process;
//! linked at a fixed address it took 0.94× the wall time (40 alternating pairs). The cost:
//! the executable's own code is not placed at a random address (shared libraries, heap and
//! stacks still are), as with Go's default Linux builds. Set `BROADSIDE_PIE=1` when
//! building to keep a PIE (a distribution's hardening policy, say; `0` or empty
//! counts as unset). A static build (`+crt-static`) is left as it links.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=BROADSIDE_PIE");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let glibc_linux = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    // A static build (`+crt-static`) links as a static PIE: `-no-pie` would contradict it.
    let static_build = var("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|f| f == "crt-static");
    let keep_pie = !matches!(var("BROADSIDE_PIE").as_str(), "" | "0");
    if glibc_linux && !static_build && !keep_pie {
        // Only the binaries: test harnesses and build scripts link as they always did.
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
