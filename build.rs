//! Rebuilds tally when a file of the built-in pack changes: `rules/` is embedded in the
//! binary (include_dir), and cargo does not otherwise notice a rule file added or edited there,
//! so a stale pack would be checked against.

fn main() {
    println!("cargo:rerun-if-changed=rules");
}
