//! The data side: finding dataset files, reading them, and the tree they become.
//!
//! [`discover`] finds the `*.yaml`/`*.yml` files under the paths given; [`load`] reads one
//! (size, encoding, control characters) and [`yaml`] parses it event by event into the
//! [`tree`], whose every value keeps its place in the file and every number its source text
//! as a [`figure`]. Whatever makes a file unusable is a [`file_error`] about that file. The
//! tree knows nothing of rules: paths into it are [`segment`]s.

pub mod discover;
pub mod figure;
pub mod file_error;
pub mod load;
pub mod segment;
pub mod tree;
pub mod yaml;

pub use segment::{Segment, push_segment};
pub use tree::*;
