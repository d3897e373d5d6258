/// mimalloc instead of glibc's malloc: a dataset is read as hundreds of thousands of small
/// strings and nodes, made and freed again per file, where mimalloc takes 11% fewer
/// instructions per file and 7–10% less time (BENCHMARKS.md). The benchmark's parse-only
/// floor uses it too, so that the two are compared on the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(tally::main());
}
