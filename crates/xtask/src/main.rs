//! `cargo xtask <task>`: benchmarks that run shipwheel and its peers side by side in one run and
//! write their results into docs/benchmarks.md (each task owns one marked section).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

mod bench_check;
mod bench_publish;
mod bench_serve;
mod common;
mod delay_proxy;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args.first() else {
        eprintln!("usage: cargo xtask <bench-check|bench-publish|bench-serve|bench-all>");
        std::process::exit(2);
    };
    let root = test_support::workspace_root();
    match task.as_str() {
        "bench-check" => bench_check::run(&root, &args[1..]),
        "bench-publish" => bench_publish::run(&root, &args[1..]),
        "bench-serve" => bench_serve::run(&root, &args[1..]),
        "bench-all" => {
            bench_check::run(&root, &[])?;
            bench_publish::run(&root, &[])?;
            bench_serve::run(&root, &[])
        }
        other => {
            eprintln!("unknown task `{other}`");
            std::process::exit(2);
        }
    }
}

#[allow(dead_code)]
fn _root_is_path(_: &Path) {}
