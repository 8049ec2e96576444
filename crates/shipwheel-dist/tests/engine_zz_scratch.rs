#[test]
fn scratch() {
    use shipwheel_dist::zipfmt::*;
    let dir = test_support::corpus_dir();
    let mut paths: Vec<_> = std::fs::read_dir(dir.join("wheels")).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let srcs: Vec<_> = paths.iter().map(|p| FileSource::new(std::fs::File::open(p).unwrap()).unwrap()).collect();
    let dirs: Vec<_> = srcs.iter().map(|s| read_central_directory(s).unwrap()).collect();
    let mut best = [u128::MAX; 4];
    for _ in 0..15 {
        let t = std::time::Instant::now();
        for s in &srcs { let _ = read_central_directory(s).unwrap(); }
        best[0] = best[0].min(t.elapsed().as_micros());
        let t = std::time::Instant::now();
        for (s, d) in srcs.iter().zip(&dirs) { validate_framing(s, d).unwrap(); }
        best[1] = best[1].min(t.elapsed().as_micros());
        let t = std::time::Instant::now();
        for (p, s) in paths.iter().zip(&srcs) { let name = p.file_name().unwrap().to_str().unwrap(); let parsed = shipwheel_dist::DistFilename::parse(name).ok(); let _ = shipwheel_dist::archive::inspect(s, name, parsed.as_ref()); }
        best[2] = best[2].min(t.elapsed().as_micros());
        let t = std::time::Instant::now();
        for p in &paths { let _ = shipwheel_dist::check_file(p, &Default::default()); }
        best[3] = best[3].min(t.elapsed().as_micros());
    }
    eprintln!("cd {}us framing {}us inspect {}us check_file {}us", best[0], best[1], best[2], best[3]);
}
