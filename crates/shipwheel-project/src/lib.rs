//! shipwheel-project
