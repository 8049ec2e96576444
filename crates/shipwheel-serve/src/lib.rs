//! shipwheel-serve
