//! Report files (`--output FORMAT=PATH`): each written beside its place and renamed into it
//! only once complete, and left as it was when the run is interrupted.

pub mod atomic;
pub mod interrupt;
pub mod report_files;
